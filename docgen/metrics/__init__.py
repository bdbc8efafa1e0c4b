"""SLA measures of service records: elapsed time on a 7×24 or working-day clock."""

"""Synthetic but realistic O&M documents (Chinese, 2–5 k characters) for the search benchmarks."""
from __future__ import annotations

import random
from typing import Iterator

DEVICES = ["服务器A", "服务器B", "核心交换机", "汇聚交换机", "防火墙", "调度主站前置机", "数据库服务器", "存储阵列",
           "堡垒机", "网管监控平台", "UPS电源", "精密空调", "光模块", "负载均衡器", "2号机柜", "3号机柜", "备调系统"]
ACTIONS = ["日常巡检", "更换网卡", "更换硬盘", "升级固件", "主备切换", "备份检查", "磁盘扩容", "日志清理", "漏扫整改",
           "等保测评配合", "告警处置", "性能优化", "配置核查", "补丁安装", "链路测试"]
PEOPLE = ["张伟", "李娜", "王强", "赵刚", "孙丽", "陈主任", "刘洋", "周敏"]
PHRASES = [
    "经现场检查，{dev}运行状态正常，CPU利用率{n}%，内存利用率{m}%。",
    "{person}于{d}到达现场，对{dev}进行{act}，客户确认后开始作业。",
    "发现{dev}存在告警，告警编号 INC-{inc:03d}，已按处理预案完成处置，未影响调度业务。",
    "本次{act}涉及{dev}，风险为业务短时中断，应急措施为立即回退至原配置。",
    "遗留问题：{dev}的{act}需在下次窗口实施，责任人{person}，计划完成日期{d}。",
    "服务单号 XC-2025-{sn:04d}，报修时间{d} 09:{mm:02d}，响应时间{r}分钟，解决时间{s}分钟。",
    "月度系统可用率为99.{a}%，满足合同约定的SLA指标。",
    "客户对本次服务评价为满意，满意度评分{score}分，服务台已回访并记录归档。",
    "针对{dev}的容量趋势分析显示，未来三个月存储使用率将达到{m}%，建议提前扩容。",
    "变更编号 BG-2025-{sn:04d} 已通过变更评审，实施窗口为周六 23:00-24:00，回退方案已验证。",
]


def synthetic_documents(count: int, rng: random.Random) -> Iterator[str]:
    """Each document is about a few devices, actions and people (as a real record or monthly report
    is), so a word like 网卡 occurs in some documents, not in all of them."""
    for _ in range(count):
        target = rng.randint(2000, 5000)
        devices, actions, people = rng.sample(DEVICES, 3), rng.sample(ACTIONS, 3), rng.sample(PEOPLE, 2)
        parts: list[str] = [f"运维服务报告 第{rng.randint(1, 52)}期"]
        size = len(parts[0])
        while size < target:
            sentence = rng.choice(PHRASES).format(
                dev=rng.choice(devices), act=rng.choice(actions), person=rng.choice(people),
                d=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", n=rng.randint(5, 95),
                m=rng.randint(5, 95), inc=rng.randint(1, 999), sn=rng.randint(1, 9999), mm=rng.randint(0, 59),
                r=rng.randint(5, 60), s=rng.randint(30, 600), a=rng.randint(90, 99), score=rng.randint(3, 5))
            parts.append(sentence)
            size += len(sentence)
        yield "".join(parts)

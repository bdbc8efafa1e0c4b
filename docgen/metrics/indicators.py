"""The monthly KPI indicator definitions (regulation §7: 运维部 sets the key indicators and their values
each year; §8: 服务报告比例 = 实际交付服务报告数量/应交付的服务报告数量*100%, 95 %, 月度).

A YAML file lists the indicators; the packaged default (indicators.yaml beside this module) is §8 plus
the plan-metric indicators. Which file applies: ``--config FILE`` when given, else
``ARCHIVE/config/indicators.yaml`` when it exists, else the packaged default. A plan's own SLA target
for the same metric wins over the file's target (docs/archive.md: the plan's targets decide SLA results)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
)

from docgen.errors import InputError, Issue, ValidationFailed
from docgen.fields import StrictModel, Text, label
from docgen.numbers import fmt_num, target_text

if TYPE_CHECKING:
    from docgen.archive import Archive

DEFAULT_FILE = Path(__file__).with_name("indicators.yaml")
ARCHIVE_CONFIG = Path("config") / "indicators.yaml"  # inside the archive root
# where the indicators in force came from, as the KPI workbook prints it: the business's words, never the
# program's name or a path inside the archive
DEFAULT_SOURCE = "《交付管理规定》§8 及项目计划"
ARCHIVE_SOURCE = "本公司指标配置（indicators.yaml）"


def config_source(path: str | Path) -> str:
    """The source line of a --config file: its name, which the person who chose it knows."""
    return f"指标配置（{Path(str(path)).name}）"
CONFIG_SUFFIXES = (".yaml", ".yml", ".json")

# formula id -> (Chinese formula text, whether a target is required in the file)
FORMULAS: dict[str, tuple[str, bool]] = {
    "report_ratio": ("实际交付服务报告数量/应交付的服务报告数量*100%", True),
    "sla_share": ("达到计划SLA目标的服务记录数/有计划目标的服务记录数*100%", True),
    "availability_percent": ("运维服务报告记录的本月系统可用率", False),
    "satisfaction_score": ("覆盖本月的需方满意度调查总体满意度", False),
}
MANDATORY_FORMULA = "report_ratio"  # §8 服务报告比例 is the regulation's own KPI
PERIODS = ("月度", "monthly")


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"，是否为 {close[0]}?" if close else ""


def _check_formula(value: str) -> str:
    if value not in FORMULAS:
        raise ValueError(f"未知的计算公式 “{value}”{_suggest(value, tuple(FORMULAS))}"
                         f"（可选：{'、'.join(FORMULAS)}）")
    return value


def _check_id(value: str) -> str:
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise ValueError(f"指标编号 “{value}” 不合法：只能用小写字母、数字和下划线，以字母开头，例如 report_ratio")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):  # `target: yes` is not a number; pydantic would read it as 1.0
        raise ValueError(f"应为数字，实际为 “{value}”")
    if isinstance(value, str) and value.strip().endswith("%"):  # "95%" means 95 in a % indicator
        return value.strip()[:-1].strip()
    return value


FormulaId = Annotated[str, BeforeValidator(lambda v: str(v).strip() if v is not None else v),
                      AfterValidator(_check_formula)]
IndicatorId = Annotated[str, BeforeValidator(lambda v: str(v).strip() if v is not None else v),
                        AfterValidator(_check_id)]


class Indicator(StrictModel):
    """One monthly KPI indicator."""

    id: IndicatorId = label("指标编号", "小写字母、数字和下划线，不可重复，例如 report_ratio")
    name: Text = label("指标名称")
    formula: FormulaId = label("计算公式", "report_ratio | sla_share | availability_percent | satisfaction_score")
    target: Annotated[float | None, BeforeValidator(_number)] = label(
        "考核要求", "数值；计划中设定了同一指标的目标时以计划为准", default=None)
    op: Literal[">=", "<=", ">", "<", "="] = label("比较", ">= | <= | > | < | =", default=">=")
    unit: Text = label("单位", "例如 %、分", default="%")
    period: Literal["月度", "monthly"] = label("考核周期", "月度（目前只支持月度）", default="月度")
    description: str = label("说明", default="")

    @field_validator("description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else str(value).strip()

    @property
    def formula_text(self) -> str:
        return FORMULAS[self.formula][0]

    def requirement(self) -> str:
        """考核要求 as people write it: ≥95%, ≥100%, ≥4.5分 (按计划目标 when only the plans set it)."""
        if self.target is None:
            return "按计划目标"
        return target_text(self.op, self.target, self.unit)


class IndicatorFile(StrictModel):
    """The file: a list of indicators."""

    indicators: list[Indicator] = Field(title="指标列表", min_length=1)




@dataclass
class IndicatorSet:
    """The indicators in force and where they came from (shown in the KPI workbook)."""

    indicators: list[Indicator]
    source: str  # where they came from, in a reader's words (DEFAULT_SOURCE, ARCHIVE_SOURCE, config_source())
    path: Path | None = None
    _by_formula: dict[str, Indicator] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_formula = {i.formula: i for i in self.indicators}

    def by_formula(self, formula: str) -> Indicator | None:
        return self._by_formula.get(formula)

    def as_json(self) -> list[dict[str, Any]]:
        return [i.model_dump(mode="json") for i in self.indicators]


def _cross_checks(config: IndicatorFile) -> list[Issue]:
    issues: list[Issue] = []
    ids: dict[str, int] = {}
    formulas: dict[str, int] = {}
    for n, ind in enumerate(config.indicators):
        where = f"indicators[{n}]"
        if ind.id in ids:
            issues.append(Issue("error", f"{where}.id", f"指标编号 {ind.id} 与 indicators[{ids[ind.id]}] 重复；"
                                                        "每个指标的编号必须不同，请改名或删除其中一项"))
        ids.setdefault(ind.id, n)
        if ind.formula in formulas:
            issues.append(Issue("error", f"{where}.formula",
                                f"计算公式 {ind.formula} 已由 indicators[{formulas[ind.formula]}] 使用；"
                                "每种公式只能定义一个指标，请删除重复的一项"))
        formulas.setdefault(ind.formula, n)
        if ind.target is None and FORMULAS[ind.formula][1]:
            issues.append(Issue("error", f"{where}.target",
                                f"缺少必填字段 考核要求（target）：{ind.formula} 指标须写明目标数值，"
                                f"例如 target: {95 if ind.formula == 'report_ratio' else 100}"))
        if ind.formula in ("report_ratio", "sla_share") and ind.unit != "%":
            issues.append(Issue("error", f"{where}.unit", f"{ind.formula} 是百分比指标，单位（unit）应为 \"%\"，"
                                                          f"实际为 “{ind.unit}”；请改为 unit: \"%\" 或删除该字段"))
        if ind.target is not None:
            if ind.target < 0:
                issues.append(Issue("error", f"{where}.target", f"考核要求（target）不能为负数，实际为 {fmt_num(ind.target)}"))
            elif ind.unit == "%" and ind.target > 100:
                issues.append(Issue("error", f"{where}.target",
                                    f"考核要求（target）是百分数，应在 0–100 之间，实际为 {fmt_num(ind.target)}"
                                    "（95% 请写 95）"))
            elif ind.unit == "%" and 0 < ind.target < 1 and ind.formula in ("report_ratio", "sla_share"):
                issues.append(Issue("error", f"{where}.target",
                                    f"考核要求（target）按百分数填写：{fmt_num(ind.target * 100)}% 请写 "
                                    f"{fmt_num(ind.target * 100)}，而不是 {fmt_num(ind.target)}"))
    if MANDATORY_FORMULA not in formulas:
        issues.append(Issue("error", "indicators",
                            "缺少服务报告比例指标（formula: report_ratio）：规定 §8 要求每月考核服务报告比例，"
                            "请保留该项（可修改名称和目标）"))
    return issues


def parse_indicators(data: Any, *, file: str | Path, source: str | None = None) -> IndicatorSet:
    """Validate an already-read config (dict); ValidationFailed lists every problem with its field path."""
    from docgen.validation import issues_from_validation

    if not isinstance(data, dict):
        raise InputError("指标配置文件顶层应为“indicators:”开头的映射，下面每个指标一项（以 “- id:” 开头）；"
                         "可用 docgen 的内置默认文件作参考", file=file)
    try:
        config = IndicatorFile.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(file, issues_from_validation(IndicatorFile, exc)) from None
    issues = _cross_checks(config)
    if issues:
        raise ValidationFailed(file, issues)
    return IndicatorSet(list(config.indicators), source or config_source(file), Path(str(file)))


def read_indicators(path: str | Path, *, source: str | None = None) -> IndicatorSet:
    """Read and validate one indicator file (YAML or JSON); InputError / ValidationFailed in Chinese,
    naming the file and the field path (e.g. indicators[0].target)."""
    from docgen.inputs import parse_yaml

    path = Path(path)
    if path.suffix.lower() not in CONFIG_SUFFIXES:
        raise InputError(f"指标配置文件应为 .yaml/.yml 或 .json，而不是 “{path.suffix or '（无扩展名）'}”", file=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("指标配置文件不存在，请检查路径", file=path) from None
    except IsADirectoryError:
        raise InputError("这是一个目录，不是指标配置文件", file=path) from None
    except OSError as exc:
        raise InputError(f"无法读取指标配置文件（{exc.strerror}）", file=path) from None
    data = parse_yaml(raw, path)  # JSON is YAML too
    if data is None:
        raise InputError("指标配置文件是空的；请以 indicators: 开头列出指标，或删除该文件以使用内置默认指标", file=path)
    return parse_indicators(data, file=path, source=source)


def default_indicators() -> IndicatorSet:
    """The packaged defaults (§8 服务报告比例 95 %, SLA 达成率 100 %, 可用率 and 满意度 against the plans)."""
    found = read_indicators(DEFAULT_FILE, source=DEFAULT_SOURCE)
    found.path = None
    return found


def load_indicators(config: str | Path | None = None, *, archive: Archive | str | Path | None = None) -> IndicatorSet:
    """The indicators in force: `config` (the --config file) if given, else ARCHIVE/config/indicators.yaml
    if it exists, else the packaged defaults."""
    if config is not None:
        return read_indicators(config)
    if archive is not None:
        root = Path(getattr(archive, "root", archive))
        in_archive = root / ARCHIVE_CONFIG
        if in_archive.exists():
            return read_indicators(in_archive, source=ARCHIVE_SOURCE)
    return default_indicators()


def default_indicators_text() -> str:
    """The packaged default file, comments included: the starting point for a user's own file."""
    return DEFAULT_FILE.read_text(encoding="utf-8")


def write_default_indicators(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the packaged default file to `path` (e.g. ARCHIVE/config/indicators.yaml) for users to edit;
    refuses to replace an existing file unless `overwrite`."""
    from docgen.archive import write_atomic

    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("文件已存在，未覆盖；请先备份或删除它，或换一个文件名", file=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, default_indicators_text().encode("utf-8"))
    return path

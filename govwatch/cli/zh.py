"""Click's own words in Chinese: its messages (用法, 选项, the errors) and a help layout for
Chinese text.

Click passes every message of its own through gettext: each of its modules imports
``gettext as _`` and ``ngettext`` and calls them when it prints. Python's gettext chooses a
catalog from the locale environment (LANGUAGE, LC_ALL, LANG), while govwatch's operators read
Chinese whatever the server's locale is (often C.UTF-8), so the catalog below is installed on
click's modules themselves (``install``), when the first govwatch context is made.
``localize`` gives every command of the tree that context, whose help formatter wraps Chinese
(no spaces between words, two columns a character), and the usage words in Chinese
([选项], 命令 [参数]...). Option names stay English: they are the interface.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import click

# click's message → Chinese. A message missing here is printed in English; the test lists
# click's messages and fails on a new one.
MESSAGES: dict[str, str] = {
    # help
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行「{command} {option}」查看帮助。",
    "No such command {name!r}.": "没有这个命令：{name}。",
    "No such option {name!r}.": "没有这个选项：{name}。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Value must be an iterable.": "值必须是多个值的列表。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是有效的是/否值，可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name}「{filename}」不存在。",
    "{name} {filename!r} is a file.": "{name}「{filename}」是文件，这里需要目录。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」是目录，这里需要文件。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」不可读。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」不可写。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件「{filename}」：{message}",
    "unknown error": "未知错误",
    "Aborted!": "已取消。",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "注意：命令 {name} 已弃用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "注意：{param_type} {name} 已弃用。{extra_message}",
    # prompts
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接执行。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Bash 4.4 以前的版本不支持命令补全。",
    "Couldn't detect Bash version, shell completion is not supported.":
        "无法确定 Bash 版本，不支持命令补全。",
}

# ngettext(singular, plural, n): singular → (Chinese for n == 1, Chinese otherwise)
PLURALS: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）", "多余的参数（{args}）"),
    "Option {name!r} requires an argument.": ("选项 {name} 需要一个值。",
                                              "选项 {name} 需要 {nargs} 个值。"),
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个值，只给了 1 个。",
                                              "需要 {nargs} 个值，给了 {len} 个。"),
    "Did you mean {possibility}?": ("是不是要用 {possibility}？",
                                    "（是不是要用其中之一：{possibilities}？）"),
    "{value!r} is not {choice}.": ("{value!r} 不是可用的值 {choice}。",
                                   "{value!r} 不是可用的值之一：{choices}。"),
    "{value!r} does not match the format {format}.": (
        "{value!r} 不符合格式 {format}。", "{value!r} 不符合以下任一格式：{formats}。"),
    "{len_type} values are required, but {len_value} was given.": (
        "需要 {len_type} 个值，给了 {len_value} 个。",
        "需要 {len_type} 个值，给了 {len_value} 个。"),
}

CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
                 "click.parser", "click.shell_completion", "click.termui", "click.types",
                 "click.utils", "click._termui_impl")

# What an option's value is, by click type name, for options without a metavar of their own
TYPE_METAVARS = {"text": "文本", "integer": "整数", "integer range": "整数", "float": "数字",
                 "float range": "数字", "path": "路径", "filename": "文件",
                 "datetime": "日期时间"}

# A line never starts with closing punctuation (it stays on the line before, past its width
# if need be) and never ends with opening punctuation (it goes with what it opens)
_CLOSING = frozenset("，。、；：？！）」』》〉】”’,.;:?!)]%")
_OPENING = frozenset("（「『《〈【“‘([")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n == 1 else forms[1]


_installed = False


def install() -> None:
    """Make click print its messages in Chinese (idempotent)."""
    global _installed
    if _installed:
        return
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    _installed = True


# ----------------------------------------------------------------------------- layout


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _columns(text: str) -> int:
    """Terminal columns ``text`` takes: two for a Chinese character or full-width sign."""
    return sum(2 if _wide(ch) else 1 for ch in text)


def _has_wide(text: str) -> bool:
    return any(_wide(ch) for ch in text)


def _joined(lines: Sequence[str]) -> str:
    """A paragraph's lines as one: a space between two English words, none next to Chinese."""
    out = ""
    for line in (line.strip() for line in lines):
        if out and line and not _wide(out[-1]) and not _wide(line[0]):
            out += " "
        out += line
    return out


def _tokens(text: str) -> list[str]:
    """Runs of spaces, English words (kept whole) and single wide characters; an opening
    bracket is one token with what follows it."""
    tokens: list[str] = []
    for ch in text:
        last = tokens[-1][-1] if tokens else ""
        if last in _OPENING and not ch.isspace():
            tokens[-1] += ch
        elif not last or _wide(ch) or _wide(last) or ch.isspace() != last.isspace():
            tokens.append(ch)
        else:
            tokens[-1] += ch
    return tokens


def wrap(text: str, width: int) -> list[str]:
    """One paragraph in lines of at most ``width`` columns, broken between any two Chinese
    characters or at spaces (an English word longer than a line is not broken)."""
    lines: list[str] = []
    line, used = "", 0
    for token in _tokens(text):
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = _columns(token)
        if line.strip() and used + size > width and token[0] not in _CLOSING:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def help_lines(text: str, width: int) -> list[str]:
    """Help text in lines of ``width`` columns, paragraphs apart by an empty line; a paragraph
    whose first line is ``\\b`` is kept as written (click's convention)."""
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = block.splitlines()
        if not lines:
            continue
        if out:
            out.append("")
        if lines[0].strip() == "\b":
            out.extend(lines[1:])
            continue
        indent = " " * (len(lines[0]) - len(lines[0].lstrip()))
        out.extend(indent + line for line in wrap(_joined(lines), max(width - len(indent), 10)))
    return out


class ChineseHelpFormatter(click.HelpFormatter):
    """Click's help layout measured in terminal columns (a Chinese character takes two), with
    Chinese wrapped between characters and headings ending in ：."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, gettext("Usage:") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in help_lines(text, self.width - self.current_indent):
            self.write(f"{indent}{line}".rstrip() + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        """Terms and their help side by side (options, commands), as click lays them out."""
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(_columns(term) for term, _ in rows), col_max) + col_spacing
        hang = " " * (self.current_indent + first_col)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            lines = help_lines(text, max(self.width - len(hang), 10))
            if not lines:
                self.write("\n")
                continue
            if _columns(term) <= first_col - col_spacing:
                self.write(" " * (first_col - _columns(term)))
            else:
                self.write("\n" + hang)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{hang}{line}".rstrip() + "\n")


class ChineseContext(click.Context):
    """A context whose help is laid out for Chinese; the first one installs the catalog."""

    formatter_class = ChineseHelpFormatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install()
        super().__init__(*args, **kwargs)


def _summary(help_text: str) -> str:
    """The first sentence of a command's help: its line in the parent's command list."""
    first = help_text.strip().split("\n\n", 1)[0]
    return _joined(first.splitlines()).split("。", 1)[0]


def localize(command: click.Command) -> None:
    """Give ``command`` and every command under it the Chinese help: context, usage words,
    option value names, and a summary line from Chinese help (click cuts at an English full
    stop only)."""
    command.context_class = ChineseContext
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = "[选项]"
    if not command.short_help and command.help and _has_wide(command.help):
        command.short_help = _summary(command.help)
    for param in command.params:
        if (isinstance(param, click.Option) and param.metavar is None and not param.is_flag
                and not param.count and param.type.name in TYPE_METAVARS):
            param.metavar = TYPE_METAVARS[param.type.name]
    if isinstance(command, click.Group):
        command.subcommand_metavar = (command.subcommand_metavar
                                      .replace("COMMAND", "命令").replace("ARGS", "参数"))
        for sub in command.commands.values():
            localize(sub)

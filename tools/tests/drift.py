#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The one option table against what tells users about it (issue 20).

drift.py VMVIZ TOOLS_DIR: reads the option and command tables of
TOOLS_DIR/main.c (options[] and commands[], the C_* bits each option
applies to) and the value lists of --seg and --state (parse.c), and checks
that each of these says the same:

  - vmviz --help and vmviz COMMAND --help: the options of each command,
    their short forms and argument names, and the values of --seg/--state;
  - vmviz.8: every option's .TP entry (short form, argument name) and its
    "Commands:" line (which commands take it), the commands, the values;
  - the exit statuses of vmviz.h, the Exit status line of --help and
    EXIT STATUS of vmviz.8;
  - vmviz.bash-completion, run as bash runs it: the options it offers after
    each command, that it offers the commands after a global option and
    after option arguments, that it completes the values of --seg and
    --state, and nothing where an option wants its own word.

Prints every difference and exits 1 if there is one. Pass "table" as a
third argument to print the table as read (what the man page must say).
"""
import os
import re
import subprocess
import sys

vmviz, tools = sys.argv[1], sys.argv[2]
src = open(os.path.join(tools, "main.c")).read()
bad = []


def c_bits():
    """The C_* enum of main.c: name -> value (| of names allowed)."""
    body = re.search(r"enum \{\s*(C_OVERVIEW.*?)\};", src, re.S).group(1)
    bits = {}
    for name, expr in re.findall(r"(C_[A-Z]+)\s*=\s*([^,]+),", body):
        expr = expr.strip()
        m = re.fullmatch(r"1 << (\d+)", expr)
        bits[name] = 1 << int(m.group(1)) if m else eval_bits(expr, bits)
    return bits


def eval_bits(expr, bits):
    v = 0
    for name in expr.split("|"):
        v |= bits[name.strip()]
    return v


BITS = c_bits()
# The commands: name -> bit.
COMMANDS = {n: BITS[b] for n, b in re.findall(r'\{ "([a-z]+)", (C_[A-Z]+), \d+,', src)}
assert set(COMMANDS) >= {"overview", "maps", "pages", "watch"}, COMMANDS

# The options: long -> (short or None, argument name or None, optional, bits).
table = re.search(r"static const struct vmviz_option options\[\] = \{(.*?)\n\};", src, re.S).group(1)
OPTIONS = {}
for m in re.finditer(r'\{ "([a-z]+)", (\'.\'|OPT_[A-Z]+), (no|required|optional)_argument,\s*'
                     r'(NULL|"[A-Z]+"),\s*([C_A-Z |\n\t]+),', table):
    name, val, has, arg, cmds = m.groups()
    OPTIONS[name] = (val[1] if val.startswith("'") else None,
                     None if arg == "NULL" else arg.strip('"'), has == "optional",
                     eval_bits(" ".join(cmds.split()), BITS))
assert len(OPTIONS) == table.count('{ "'), "an entry of options[] not understood"

parse_c = open(os.path.join(tools, "parse.c")).read()


def c_list(name):
    body = re.search(r"const char \*const %s\[\] = \{(.*?)\};" % name, parse_c, re.S).group(1)
    return re.findall(r'"([^"]+)"', body)


VALUES = {"seg": c_list("vmviz_vma_segs"), "state": c_list("vmviz_states")}


def takes(cmd):
    return {n for n, o in OPTIONS.items() if o[3] & COMMANDS[cmd]}


if len(sys.argv) > 3 and sys.argv[3] == "table":
    for n, o in OPTIONS.items():
        print(n, o[0], o[1], [c for c in COMMANDS if o[3] & COMMANDS[c]])
    sys.exit(0)

# --help, of vmviz and of each command.
opt_re = re.compile(r"^ (?:-(.), )?\s*--([a-z]+)(\[=([A-Z]+)\]| ([A-Z]+))?\s{2,}")


def help_options(args):
    out = subprocess.run([vmviz] + args + ["--help"], capture_output=True, text=True).stdout
    text = out.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    got = {}
    for ln in text.split("\n"):
        m = opt_re.match(ln)
        if not m:
            bad.append(f"{' '.join(args) or 'vmviz'} --help: not an option line: {ln!r}")
            continue
        got[m.group(2)] = (m.group(1), m.group(4) or m.group(5), bool(m.group(4)))
    vals = dict(re.findall(r"^Values of --([a-z]+): (.*)$", out, re.M))
    return got, {k: v.split(", ") for k, v in vals.items()}, out


all_help, all_vals, top = help_options([])
for n, o in OPTIONS.items():
    if all_help.get(n) != o[:3]:
        bad.append(f"vmviz --help: --{n} is {all_help.get(n)}, the table {o[:3]}")
for n in set(all_help) - set(OPTIONS):
    bad.append(f"vmviz --help: --{n} is not in the table")
for c in COMMANDS:
    got, vals, _ = help_options([c])
    if set(got) != takes(c):
        bad.append(f"vmviz {c} --help: {sorted(set(got) ^ takes(c))} differ from the table")
    for k in VALUES:
        if k in takes(c) and vals.get(k) != VALUES[k]:
            bad.append(f"vmviz {c} --help: values of --{k} {vals.get(k)}, the code {VALUES[k]}")
helped = set(re.findall(r"^ vmviz ([a-z]+)", top, re.M)) | {"overview"}
if helped != set(COMMANDS):
    bad.append(f"vmviz --help: commands {sorted(helped)}, the table {sorted(COMMANDS)}")

# The man page: OPTIONS entries and their Commands: lines.
man = open(os.path.join(tools, "vmviz.8")).read()
section = man.split("\n.SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
entries = section.split("\n.TP\n")[1:]
seen = set()
for e in entries:
    head, body = e.split("\n", 1)
    m = re.fullmatch(r'\.BR (?:\\-(.) ", " )?\\-\\-([a-z]+)'
                     r'(?: " \\fI([A-Z]+)\\fR.*| \[=\\fI([A-Z]+)\\fR\])?', head)
    if not m:
        bad.append(f"vmviz.8: an OPTIONS entry not understood: {head!r}")
        continue
    short, name, arg, optarg = m.groups()
    seen.add(name)
    if name not in OPTIONS:
        bad.append(f"vmviz.8: --{name} is not in the table")
        continue
    o = OPTIONS[name]
    if (short, arg or optarg, bool(optarg)) != o[:3]:
        bad.append(f"vmviz.8: --{name} is {(short, arg or optarg, bool(optarg))}, the table {o[:3]}")
    cm = re.search(r"^Commands: (.*)\.$", body, re.M)
    want = [c for c in COMMANDS if o[3] & COMMANDS[c]]
    if not cm:
        bad.append(f"vmviz.8: --{name} has no Commands: line (want {', '.join(want)})")
        continue
    said = cm.group(1).replace("\\fB", "").replace("\\fR", "").split(", ")
    if said == ["all"]:
        said = list(COMMANDS)
    if sorted(said) != sorted(want):
        bad.append(f"vmviz.8: --{name} says commands {said}, the table {want}")
for n in set(OPTIONS) - seen:
    bad.append(f"vmviz.8: --{n} has no OPTIONS entry")
for c in COMMANDS:
    if c != "overview" and not re.search(r"^\.B %s$" % c, man, re.M):
        bad.append(f"vmviz.8: no COMMANDS entry for {c}")
for k, vals in VALUES.items():
    m = re.search(r"^Values: ([^.]*)\.$", section.split("\\-\\-%s \"" % k, 1)[1], re.M)
    said = m and " ".join(m.group(1).split()).replace("\\-", "-").split(", ")
    if said != vals:
        bad.append(f"vmviz.8: --{k} values {said}, the code {vals}")


# Exit statuses: the enum of vmviz.h, --help's line and EXIT STATUS.
codes = {int(v) for v in re.findall(r"VMVIZ_EXIT_[A-Z]+ = (\d+),",
                                     open(os.path.join(tools, "vmviz.h")).read())}
said = {int(v) for v in re.findall(r"(?:^|[\s,])(\d) [a-z]",
                                   top.split("Exit status:", 1)[1].split("See vmviz(8)")[0])}
manned = {int(v) for v in re.findall(r"^\.TP\n\.B (\d+)$",
                                     man.split("\n.SH EXIT STATUS\n")[1].split("\n.SH ")[0], re.M)}
if not codes == said == manned:
    bad.append(f"exit statuses: vmviz.h {sorted(codes)}, --help {sorted(said)}, vmviz.8 {sorted(manned)}")

# The completion, as bash runs it.
def complete(*words):
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(vmviz)) + ":" + os.environ["PATH"])
    out = subprocess.run(["bash", "-c", """
        source "$0"
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _vmviz vmviz
        [ ${#COMPREPLY[@]} = 0 ] || printf '%s\\n' "${COMPREPLY[@]}"
        """, os.path.join(tools, "vmviz.bash-completion"), "vmviz"] + list(words),
        capture_output=True, text=True, env=env)
    return set(out.stdout.split())


for c in COMMANDS:
    got = {w[2:] for w in complete(c, "--")}
    if got != takes(c):
        bad.append(f"completion: vmviz {c} --<TAB>: {sorted(got ^ takes(c))} differ from the table")
got = {w[2:] for w in complete("--")}
if got != takes("overview") | set(OPTIONS) - set().union(*(takes(c) for c in COMMANDS)) and got != set(OPTIONS):
    bad.append(f"completion: vmviz --<TAB>: {sorted(got)}")
commands = set(COMMANDS) - {"overview"}
for before in (["-J"], ["--width", "60"], ["-f", "x.report"], ["--color=never"], ["-o", "NAME"]):
    got = complete(*before, "")
    if not commands <= got:
        bad.append(f"completion: vmviz {' '.join(before)} <TAB>: no commands ({sorted(got)[:6]}...)")
for n, o in OPTIONS.items():
    if o[1] and not o[2] and n not in ("file", "khalf", "save", "output", "sort", "seg", "state"):
        got = complete("maps" if o[3] & COMMANDS["maps"] else "watch", "--" + n, "")
        if got:
            bad.append(f"completion: --{n} <TAB> offers {sorted(got)[:5]}, not nothing")
for k, vals in VALUES.items():
    got = complete("pages" if k == "state" else "maps", "--" + k, "")
    if got != set(vals):
        bad.append(f"completion: --{k} <TAB>: {sorted(got)}, the code {vals}")
if "self" in complete("watch", ""):
    bad.append("completion: watch offers self, which it refuses")

for b in bad:
    print(b)
sys.exit(1 if bad else 0)

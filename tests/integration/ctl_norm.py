# Tests: helpers of the etcdctl goldens (cluster_maint_etcdctl.sh,
# alarm_etcdctl.sh) to mask what two right answers may differ in:
#   table COLS...  a table (tablewriter's) with the cells of columns COLS
#                  (from 1) as N, drawn again;
#   ids ID...      member IDs (hex) as NEW1, NEW2... (decimal ones as
#                  numbers past 2^64, so that JSON stays JSON);
#   members        lists of members sorted (their IDs differ by server).
# Reads stdin, writes stdout.
import json, re, sys

def mask_ids(text, ids):
    # Decimal IDs become numbers no member has (past 2^64), so that JSON
    # stays JSON; hex IDs NEW1, NEW2...; "Member %16x" without its padding.
    for k, i in enumerate(ids, 1):
        text = re.sub(r"Member +%s\b" % i, "Member NEW%d" % k, text)
        text = re.sub(r"\b%s\b" % i, "NEW%d" % k, text)
        text = re.sub(r"\b%d\b" % int(i, 16), "9000000000000000000%d" % k, text)
    return text

def retable(text, cols):
    """A table as tablewriter draws it, with the cells of the given columns
    (from 1) that are not blank replaced by N, drawn again. The other
    columns keep their cells and widths as they were; a table that its
    own cells and widths do not draw back byte for byte is left as it is
    (so that a badly drawn table still shows)."""
    lines = [l for l in text.split("\n") if l]
    if not lines or not re.fullmatch(r"\+(-+\+)+", lines[0]):
        return text
    width = [len(seg) - 2 for seg in lines[0][1:-1].split("+")]
    rows = [l for l in lines if l.startswith("|")]
    cells = [[c[1:-1] for c in l.split("|")[1:-1]] for l in rows]
    if not cells or any(len(r) != len(width) for r in cells):
        return text
    def draw(grid, width):
        line = "+" + "+".join("-" * (w + 2) for w in width) + "+"
        out = []
        for k, r in enumerate(grid):
            out.append("| " + " | ".join(r) + " |")
            if k == 0:
                out.append(line)
        return [line] + out + [line]
    if draw(cells, width) != lines:
        return text
    grid = [list(r) for r in cells]
    for i in range(len(width)):
        if i + 1 not in cols:
            continue
        head = cells[0][i].strip()
        vals = ["N" if r[i].strip() else "" for r in cells[1:]]
        width[i] = max([len(head)] + [len(v) for v in vals])
        gap = width[i] - len(head)
        grid[0][i] = " " * (gap // 2) + head + " " * (gap - gap // 2)
        for k, v in enumerate(vals, 1):
            grid[k][i] = v.rjust(width[i])
    return "\n".join(draw(grid, width)) + "\n"

def sort_members(text):
    """Members come by ID, and the IDs of added members differ between the
    servers: lists of members are sorted by their (masked) text."""
    try:
        d = json.loads(text)
    except ValueError:
        d = None
    if isinstance(d, dict):
        if isinstance(d.get("members"), list):
            d["members"].sort(key=lambda m: json.dumps(m, sort_keys=True))
        return json.dumps(d, separators=(",", ":")) + "\n"
    if re.search(r"(?m)^members \{", text):
        head, rest = re.split(r"(?m)^(?=members \{)", text, maxsplit=1)
        blocks = re.findall(r"(?ms)^members \{.*?^\}\n", rest)
        tail = rest[sum(len(b) for b in blocks):]
        return head + "".join(sorted(blocks)) + tail
    if text.startswith('"ClusterID"'):
        lines = text.split("\n")
        head, rest = "\n".join(lines[:4]) + "\n", "\n".join(lines[4:])
        blocks = [b + "\n\n" for b in rest.split("\n\n") if b]
        return head + "".join(sorted(blocks))
    if text.startswith("+"):
        lines = text.split("\n")
        return "\n".join(lines[:3] + sorted(lines[3:-2]) + lines[-2:])
    out = []
    for line in text.split("\n"):
        m = re.match(r'ETCD_INITIAL_CLUSTER="(.*)"$', line)
        if m:
            line = 'ETCD_INITIAL_CLUSTER="%s"' % ",".join(sorted(m.group(1).split(",")))
        out.append(line)
    lines = out
    if lines and all(l.count(", ") >= 5 for l in lines if l):
        lines = sorted(l for l in lines if l) + [""]
    return "\n".join(lines)

mode, args = sys.argv[1], sys.argv[2:]
text = sys.stdin.read()
if mode == "table":
    sys.stdout.write(retable(text, [int(a) for a in args]))
elif mode == "ids":
    sys.stdout.write(mask_ids(text, [a for a in args if a]))
elif mode == "members":
    sys.stdout.write(sort_members(text))

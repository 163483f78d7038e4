#!/usr/bin/env bash
# Every source path the docs name exists: README.md, docs/*.md and the
# comments of scripts/cpython/*.py point readers at files by path, and a
# file that moved must take its mentions along.
. "$(dirname "$0")/lib.bash"

missing=$(cd "$SRC" && /usr/bin/python3 - <<'PY'
import glob, os, re
pat = re.compile(r'(?<![\w/.-])((?:bench|host|runtime|models|include|scripts|tests|results/schema|workloads)'
                 r'/[A-Za-z0-9_./-]*[A-Za-z0-9_])')
for doc in ['README.md'] + sorted(glob.glob('docs/*.md')) + sorted(glob.glob('scripts/cpython/*.py')):
    for n, line in enumerate(open(doc), 1):
        for p in pat.findall(line):
            p = p.rstrip('.')
            # a glob or a pattern stands for files, not one file
            if any(c in p for c in '*<>{}') or p.endswith('_'):
                continue
            if not os.path.exists(p) and not glob.glob(p + '.*'):
                print(f'{doc}:{n}: {p}')
PY
)
check "every path the docs name exists" [ -z "$missing" ]
[ -n "$missing" ] && printf '%s\n' "$missing" | sed 's/^/# /'
finish

#!/usr/bin/env python3
"""Add or update texts in translations/de.json and en.json in one locked step.

Usage: scripts/i18n-add.py FILE.json   where FILE maps key -> {"de": "...", "en": "..."}
Several people may add keys at once; a lock file keeps their edits from racing.
"""
import collections, fcntl, json, os, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "translations")
new = json.load(open(sys.argv[1], encoding="utf-8"))
with open(os.path.join(root, ".lock"), "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    for lang in ("de", "en"):
        path = os.path.join(root, lang + ".json")
        data = json.load(open(path, encoding="utf-8"), object_pairs_hook=collections.OrderedDict)
        for key, texts in new.items():
            data[key] = texts[lang]
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        os.replace(tmp, path)

"""Planted anomalies: each overlay in testdata/anomalies is applied to every
base hive (the family fixtures, the fixture whose Current is 2, and copies
of the real hives) and must be caught by its rule at its severity; each
untouched base must be quiet at medium and above.  Prints TAP."""
import fnmatch
import glob
import os
import re

from hivelib import (FAMILY, bases, base_facts, caught, directive, done,
                     fired, loud, overlay, run_json, sampled, scan_overlays,
                     show, tap, top_srcdir)

# The details of findings about a key or a subkey, not about a value.
KEY_LEVEL = re.compile(r"^(unexpected subkey|the key )")

# ANOMALIES="boot*" runs the overlays whose names match (while developing).
overlays = sorted(p for p in glob.glob(os.path.join(
    top_srcdir, "testdata", "anomalies", "*.reg")) if fnmatch.fnmatch(
        os.path.basename(p), os.environ.get("ANOMALIES", "*") + ".reg"))
for label, base in bases():
    shown = show(base)
    if shown is None:
        tap(False, "%s: show works on the base" % label)
        continue
    facts = base_facts(shown)
    rc, res, err = run_json(["scan", "--format", "json", "--fail-on", "never",
                             base])
    if res is None or res["error"] is not None:
        tap(False, "%s: the untouched base can be audited (%r)" % (label, err))
        continue
    family = res["baseline"]["name"]
    want = FAMILY[label.split(" ", 1)[1]]
    tap(family == want, "%s: detected as %s (%s)" % (
        label, want, family if family != want else res["baseline"]["reason"]))
    noisy = sorted({r for r, _ in loud(res)})
    tap(not noisy, "%s: untouched, %s finds nothing at medium or above%s"
        % (label, family, " (found %s)" % ", ".join(noisy) if noisy else ""))
    planted = []
    for ov in overlays:
        name = os.path.basename(ov)[:-4]
        text, expects = overlay(ov, facts)
        if not expects:
            tap(False, "%s: %s names what it expects" % (label, name))
            continue
        only = directive(text, "families")
        if only and family not in only:
            continue
        detect = directive(text, "detect") == ["same"]
        planted.append((name, text, expects, detect))
    planted = sampled(planted)
    results = scan_overlays(base, [(name, text, family, detect)
                                   for name, text, _, detect in planted])
    for (name, text, expects, detect), (res, why) in zip(planted, results):
        if res is None:
            tap(False, "%s + %s: %s" % (label, name, why))
            continue
        # A finding names its value unless it is about a key or subkey.
        nameless = sorted({f["rule"] for f in fired(res)
                           if f["value"] is None and not KEY_LEVEL.match(
                               f["detail"] or "")})
        tap(not nameless, "%s + %s: every finding about a value names it%s"
            % (label, name, " (not %s)" % ", ".join(nameless)
               if nameless else ""))
        if detect:
            got = res["baseline"]["name"]
            tap(got == family and res["baseline"]["supported"],
                "%s + %s: still detected as %s%s" % (
                    label, name, family,
                    "" if got == family else " (got %s: %s)" % (
                        got, res["baseline"]["reason"])))
        if directive(text, "quiet") == ["yes"]:
            noisy = sorted({r for r, _ in loud(res)})
            tap(not noisy, "%s + %s: nothing at medium or above%s" % (
                label, name, " (found %s)" % ", ".join(noisy) if noisy
                else ""))
        if directive(text, "alone") == ["yes"]:
            extra = sorted({r for r, _ in loud(res)} - {r for r, _ in expects})
            tap(not extra, "%s + %s: only what it expects at medium or above%s"
                % (label, name, " (also %s)" % ", ".join(extra) if extra
                   else ""))
        for rule, severity in expects:
            hits = [f for f in fired(res) if f["rule"] == rule]
            good, sev = caught(res, rule, severity)
            # Keys below a control set must name the current one.
            where = all(f["control_set"] is None or f["key"].startswith(
                facts["CS"] + "\\") for f in hits)
            tap(good and where, "%s + %s: %s at %s%s" % (
                label, name, rule, severity,
                "" if good and where else
                " (found %s)" % (", ".join(sev) or "nothing")))
done()

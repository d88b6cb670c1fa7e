"""Median login time for a wrong password vs an unknown email (stdlib only).

Usage: python3 benches/scripts/login_timing.py http://127.0.0.1:8080, against a server whose
bootstrap HR is hr@example.com and APPRAISAL__AUTH__MAX_FAILED_LOGINS is raised (else the lockout answers)."""
import json, statistics, sys, time, urllib.request
base = sys.argv[1]
def login(email, pw):
    req = urllib.request.Request(base + "/api/v1/auth/login", data=json.dumps({"email": email, "password": pw}).encode(), method="POST")
    req.add_header("content-type", "application/json")
    start = time.perf_counter()
    try: urllib.request.urlopen(req).read(); code = 200
    except urllib.error.HTTPError as e: body = e.read(); code = e.code
    return code, (time.perf_counter() - start) * 1000
for label, email in (("wrong password", "hr@example.com"), ("unknown email", "nobody@example.com")):
    samples = [login(email, "not the password") for _ in range(60)]
    codes = {c for c, _ in samples}
    ms = sorted(t for _, t in samples[10:])
    print(f"{label}: statuses {codes}, median {statistics.median(ms):.1f} ms, p10 {ms[len(ms)//10]:.1f}, p90 {ms[9*len(ms)//10]:.1f}")

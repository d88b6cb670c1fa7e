"""Times a sales CSV import of N rows against a running server (stdlib only).

Usage: python3 benches/scripts/import_100k.py http://127.0.0.1:8080 HR_PASSWORD 100000
(the server started with APPRAISAL__BOOTSTRAP__HR_PASSWORD=HR_PASSWORD on an empty database)."""
import json, sys, time, urllib.request

base, hr_pw, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])

def call(method, path, token=None, body=None, ctype="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", ctype)
    if token: req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r: return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read() or b"null")

_, t = call("POST", "/api/v1/auth/login", body={"email": "hr@example.com", "password": hr_pw})
hr = t["access_token"]
_, d = call("POST", "/api/v1/departments", hr, {"name": "Bench", "kind": "front_line"})
ids = []
for i in range(100):
    s, u = call("POST", "/api/v1/users", hr, {"email": f"b{i}@example.test", "display_name": f"B {i}", "role": "staff", "department_id": d["id"], "password": "bench password"})
    ids.append(u["id"])
_, c = call("POST", "/api/v1/cycles", hr, {"name": "Bench", "period_start": "2026-01-01", "period_end": "2026-03-31"})
call("PUT", f"/api/v1/cycles/{c['id']}/scheme", hr, {"weights": {"sales": 25, "satisfaction": 25, "etiquette": 25, "collaboration": 25}, "grade_bands": [{"grade": "A", "min_total": 0}]})
call("POST", f"/api/v1/cycles/{c['id']}/state", hr, {"state": "open"})
lines = ["employee_id,occurred_on,amount,external_ref"] + [f"{ids[i % 100]},2026-02-{1 + i % 28:02d},{100 + i},REF-{i}" for i in range(rows)]
body = ("\n".join(lines) + "\n").encode()
for attempt in ("first", "again"):
    start = time.perf_counter()
    s, out = call("POST", "/api/v1/sales-records", hr, body, "text/csv")
    print(f"{attempt}: {len(body)/1e6:.1f} MB, {rows} rows -> {s} {out} in {time.perf_counter()-start:.2f} s")

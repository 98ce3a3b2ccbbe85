#!/usr/bin/python3
"""One search query at a time on a copy of the bench store (bench/web-fill.c):
the plan choice before (one bounded count of the phrase up to 2,040: rowid or
scan) and after (store/search-index.c: scan, rowid or time), each as SQLite
runs it with python's sqlite3, hot cache, best of 3 x 10, LIMIT 51 newest
first; the rows of both must be the same.
Usage: search-plan.py STORE.sqlite [field=word ...]"""
import sqlite3, time, sys
c=sqlite3.connect(sys.argv[1])
def tm(f, n=10):
    f(); best=1e9
    for k in range(3):
        s=time.perf_counter()
        for i in range(n): r=f()
        best=min(best,(time.perf_counter()-s)/n*1000)
    return best, r
cols="m.seq, m.id, m.time, m.size, m.sha256, m.state, m.sender, m.header_from, m.from_address, m.subject, m.message_id, m.action, m.reason, m.mode, m.verdict, m.error, m.av, m.malware, m.encrypted, m.releasable, m.not_releasable, (SELECT CASE WHEN r.state = 'failed' AND r.reason LIKE 'uncertain: %' THEN 'uncertain' ELSE r.state END FROM releases r WHERE r.message = m.seq ORDER BY r.number DESC LIMIT 1), (SELECT p.state FROM ppap_pending p WHERE p.message = m.seq), (SELECT p.reason FROM ppap_pending p WHERE p.message = m.seq), NULL"
L=51
def bc(tbl,m,after,bound):
    return c.execute(f"SELECT count(*) FROM (SELECT 1 FROM {tbl} WHERE {tbl} MATCH ?1 AND rowid > ?2 LIMIT ?3)",(m,after,bound)).fetchone()[0]
def decide(tbl,m,upto,newest):
    window=max(2000,40*L)
    if newest-upto>=window: return "scan"
    first=max(upto-(window-(newest-upto)),0); pm=1048576 if tbl=="recipients_fts" else 1
    if bc(tbl,m,first*pm,L)>=L: return "scan"
    few=1
    while few*few*20 < L*newest: few+=1
    return "rowid" if bc(tbl,m,-1,few)<few else "time"
def olddecide(tbl,m,upto,newest):
    enough=max(2000,40*L)
    n=c.execute(f"SELECT count(*) FROM (SELECT 1 FROM {tbl} WHERE {tbl} MATCH ?1 LIMIT ?2)",(m,enough)).fetchone()[0]
    return "rowid" if n<enough else "scan"
try:
    upto=c.execute("SELECT upto FROM search_index").fetchone()[0]
except sqlite3.OperationalError:  # a store made before search_index: all indexed
    upto=c.execute("SELECT coalesce(max(seq), 0) FROM messages").fetchone()[0]
words=[("sender","evil"),("subject","meeting"),("recipient","staff7@"),("subject","nothing-has-this")]+[tuple(a.split('=',1)) for a in sys.argv[2:]]
for field,word in words:
    if field=="recipient":
        judge="EXISTS (SELECT 1 FROM recipients r WHERE r.message = m.seq AND instr(lower(r.address), lower(?2)) > 0)"; col="address"; tbl="recipients_fts"; div=1048576
    else:
        judge=f"instr(lower(m.{field}), lower(?2)) > 0"; col=field; tbl="messages_fts"; div=1
    m=f'{col} : "{word}"'
    def sql(plan):
        idx="" if plan=="scan" else f" AND m.seq{' + 0' if plan=='time' else ''} IN (SELECT rowid / {div} FROM {tbl} WHERE {tbl} MATCH ?1 UNION ALL SELECT seq FROM messages WHERE seq > {upto})"
        return f"SELECT {cols} FROM messages m WHERE m.state='stored'{idx} AND {judge} ORDER BY m.time DESC, m.seq DESC LIMIT {L}"
    out=[]
    for name,d in (("before",olddecide),("after",decide)):
        def whole():
            newest=c.execute("SELECT coalesce(max(seq), 0) FROM messages").fetchone()[0]
            p=d(tbl,m,upto,newest)
            return p, c.execute(sql(p),(m,word)).fetchall()
        newest=c.execute("SELECT coalesce(max(seq), 0) FROM messages").fetchone()[0]
        dt,_=tm(lambda: d(tbl,m,upto,newest))
        t,(p,r)=tm(whole)
        out.append(f"{name}: {p:5s} decide {dt:6.2f} total {t:6.2f} ms rows {len(r)}")
        out.append(r)
    same = out[1]==out[3]
    print(f"{field}={word:18s} {out[0]} | {out[2]} | same={same}")

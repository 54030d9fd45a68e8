"""Crash test: under load, kill -9 one gunicorn worker, then the whole server; restart; check.

    .venv/bin/python bench/crash_test.py [--seconds 30] [--clients 8]

The server runs as deployed (survey/gunicorn_conf.py: 2 workers per core). Timeline
(fractions of --seconds): load starts; at 1/4 one worker is killed with SIGKILL
(gunicorn replaces it); at 1/2 the master and every worker are killed with SIGKILL; the
server is restarted at once on the same instance and the load goes on to the end. Clients
treat a broken connection like a phone losing signal: that questionnaire is abandoned, never
counted as acknowledged. Afterwards every acknowledged submission must be stored exactly once
and ``PRAGMA integrity_check`` must say ok.
"""

import argparse
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib  # noqa: E402


def crash_run(seconds: int, clients: int, folder: Path) -> dict:
    """Run the load with the two kills and the restart; return the check and the events."""
    env, token, secret = loadlib.make_instance(folder / "instance")
    port = loadlib.free_port()
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - closed below
    server = {"process": loadlib.start_server(env, port, None, log)}
    events = []

    def killer():
        """Kill one worker, then everything, then restart."""
        time.sleep(seconds / 4)
        workers = loadlib.worker_pids(server["process"].pid)
        os.kill(workers[0], signal.SIGKILL)
        events.append(f"killed worker {workers[0]} of {len(workers)}")
        time.sleep(seconds / 4)
        master = server["process"].pid
        for pid in [master, *loadlib.worker_pids(master)]:
            os.kill(pid, signal.SIGKILL)
        server["process"].wait()
        events.append("killed master and workers")
        server["process"] = loadlib.start_server(env, port, None, log)
        events.append("restarted")

    thread = threading.Thread(target=killer)
    thread.start()
    deadline = time.time() + seconds
    jobs = [(port, token, deadline, 10**6, seed, 0.1) for seed in range(clients)]
    try:
        with multiprocessing.Pool(clients) as pool:
            results = pool.map(loadlib.client_loop, jobs)
        thread.join()
    finally:
        loadlib.stop_server(server["process"])
        log.close()
    states = [state for result in results for state in result["acked"]]
    check = loadlib.verify(
        folder / "instance" / "papi-pulse.sqlite3", loadlib.response_ids(states, secret, token)
    )
    check["broken_connections"] = sum(result["errors"] for result in results)
    check["events"] = events
    return check


def main() -> int:
    """Run the crash test and print the check; exit 1 when anything acknowledged is lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="papi-crash-") as folder:
        check = crash_run(args.seconds, args.clients, Path(folder))
    shown = {k: (len(v) if k in ("missing", "duplicated") else v) for k, v in check.items()}
    print(json.dumps(shown, indent=1))
    ok = not check["missing"] and not check["duplicated"] and check["integrity"] == "ok"
    print("crash test: OK" if ok else "crash test: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

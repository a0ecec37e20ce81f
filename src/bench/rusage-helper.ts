// The measuring helper that the process executor keeps running for a whole benchmark.
//
// Node cannot measure a child's CPU time or peak memory: libuv reaps children with waitpid and
// drops their rusage, and process.resourceUsage() covers only the Node process itself. wait4()
// returns exactly what hyperfine reports (ru_utime, ru_stime, ru_maxrss), and Python's standard
// library exposes it. One long-lived helper answers every run over a pipe, so its start-up is
// paid once, and it spawns from a small process with posix_spawn (vfork), which is what keeps
// `bench cmd -- true` level with hyperfine: a fork from Node's large heap costs ~1.9 ms here,
// against ~0.7 ms for hyperfine and for this helper.
//
// Protocol: one JSON request per line on fd 3 ({"argv": [...], "stdin": path|null}), one JSON
// answer per line on fd 4 ({"wall","user","sys" in ms, "rss" in KiB, "code", "signal"} or
// {"error", "errno"}). The helper's own stdio is /dev/null, inherited by the commands.
//
// Peak memory has a floor: Linux carries the exec-ing process's high-water RSS across exec, and
// with posix_spawn that process shares the helper's memory, so a command smaller than the
// helper (~10 MiB) reads as the helper's size. hyperfine and GNU time have the same floor at
// their own size. The helper reports its RSS at start ("floor") so results can say so.

export const RUSAGE_HELPER_PY = String.raw`
import os, sys, json, time, shutil, resource
os.set_inheritable(3, False)
os.set_inheritable(4, False)
rd = os.fdopen(3, 'r')
wr = os.fdopen(4, 'w')
env = dict(os.environ)
paths = {}
wr.write(json.dumps({'ready': True, 'floor': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}) + '\n'); wr.flush()
for line in rd:
    req = json.loads(line)
    argv = req['argv']
    try:
        prog = paths.get(argv[0])
        if prog is None:
            prog = argv[0] if '/' in argv[0] else shutil.which(argv[0])
            if prog is None:
                raise FileNotFoundError(2, 'command not found')
            paths[argv[0]] = prog
        actions = []
        if req.get('stdin'):
            actions.append((os.POSIX_SPAWN_OPEN, 0, req['stdin'], os.O_RDONLY, 0))
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(prog, argv, {**env, **req['env']} if req.get('env') else env, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter_ns()
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        out = {'wall': (t1 - t0) / 1e6, 'user': ru.ru_utime * 1e3, 'sys': ru.ru_stime * 1e3,
               'rss': ru.ru_maxrss, 'code': code, 'signal': sig}
    except OSError as e:
        out = {'error': e.strerror or str(e), 'errno': e.errno}
    wr.write(json.dumps(out) + '\n'); wr.flush()
`;

"""Installation and packaging: "cmake --install" into a DESTDIR with a /usr
prefix puts every file where the system looks for it, the installed config
checks out with the installed daemon, the man pages render without groff
warnings, "cpack -G DEB" builds a package with the right files, conffiles,
Depends and maintainer scripts, and those scripts create the user and the
state directory, start nothing, and on purge remove only what warmthd
wrote. Parts whose tools are missing are skipped, saying why."""

import os
import shutil
import stat
import subprocess
import tempfile

from harness import BUILD, SOURCE, check, run

BUILD_DIR = os.path.abspath(BUILD)
SOURCE_DIR = os.path.abspath(SOURCE)
MAN_PAGES = ["man8/warmthd.8", "man1/warmthctl.1", "man1/warmth-import.1", "man5/warmthd.yaml.5"]
SCRIPTS = os.path.join(SOURCE_DIR, "packaging", "debian")

_tmp = tempfile.mkdtemp(prefix="warmth-install-")
DESTDIR = os.path.join(_tmp, "root")


def skip(why):
    print("skipped: " + why)


def cache_value(name):
    """A variable of the build's CMakeCache.txt, or None."""
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


def in_root(path):
    return os.path.join(DESTDIR, path.lstrip("/"))


def test_install_tree():
    env = dict(os.environ, DESTDIR=DESTDIR)
    r = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", "/usr"], env=env,
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "cmake --install failed:\n%s%s" % (r.stdout, r.stderr))
    # Nothing may escape DESTDIR: every line names a path inside it.
    for line in r.stdout.splitlines():
        if line.startswith("-- Installing:") or line.startswith("-- Up-to-date:"):
            check(line.split(":", 1)[1].strip().startswith(DESTDIR), "outside DESTDIR: " + line)

    unitdir = cache_value("WARMTH_SYSTEMD_UNITDIR")
    completions = cache_value("WARMTH_BASH_COMPLETION_DIR")
    if not completions.startswith("/"):
        completions = "/usr/" + completions
    expected = {
        "/usr/sbin/warmthd": 0o755,
        "/usr/bin/warmthctl": 0o755,
        "/usr/bin/warmth-gen": 0o755,
        "/usr/bin/warmth-import": 0o755,
        "/etc/warmthd/warmthd.yaml": 0o644,
        "/etc/logrotate.d/warmthd": 0o644,
        unitdir + "/warmthd.service": 0o644,
        completions + "/warmthctl": 0o644,
        "/usr/share/doc/warmthd/README.md": 0o644,
        "/usr/share/doc/warmthd/ingest.md": 0o644,
        "/usr/share/doc/warmthd/control-protocol.md": 0o644,
        "/usr/share/doc/warmthd/dashboard.md": 0o644,
        # The dashboard's page, where http.www_dir's default looks.
        "/usr/share/warmthd/www/index.html": 0o644,
    }
    for page in MAN_PAGES:
        expected["/usr/share/man/" + page] = 0o644
    for path, mode in expected.items():
        full = in_root(path)
        check(os.path.isfile(full), "not installed: " + path)
        got = stat.S_IMODE(os.stat(full).st_mode)
        check(got == mode, "%s: mode %o, expected %o" % (path, got, mode))

    # The unit must start the binary and read the config just installed.
    with open(in_root(unitdir + "/warmthd.service")) as f:
        unit = f.read()
    check("ExecStart=/usr/sbin/warmthd -c /etc/warmthd/warmthd.yaml\n" in unit,
          "unit does not start /usr/sbin/warmthd:\n" + unit)
    with open(in_root("/etc/logrotate.d/warmthd")) as f:
        rotate = f.read()
    body = rotate[rotate.index("{"):]
    check("/var/lib/warmthd/rejected.jsonl {" in rotate and "copytruncate" not in body,
          "logrotate snippet: " + rotate)

    r = subprocess.run([in_root("/usr/sbin/warmthd"), "-t", "-c",
                        in_root("/etc/warmthd/warmthd.yaml")],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and r.stdout == "configuration OK\n",
          "installed config: %s%s" % (r.stdout, r.stderr))

    # Installing again keeps an edited configuration and puts the shipped
    # one beside it.
    conf = in_root("/etc/warmthd/warmthd.yaml")
    with open(conf, "a") as f:
        f.write("# edited by the administrator\n")
    r = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", "/usr"], env=env,
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "second install failed:\n%s%s" % (r.stdout, r.stderr))
    with open(conf) as f:
        check(f.read().endswith("# edited by the administrator\n"), "edited config overwritten")
    check(os.path.isfile(conf + ".new"), "no warmthd.yaml.new beside the edited config")


def test_man_pages_render():
    groff = shutil.which("groff")
    if groff is None:
        skip("groff is not installed (apt-get install groff-base)")
        return
    for page in MAN_PAGES:
        path = in_root("/usr/share/man/" + page)
        r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", path],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 0 and r.stderr == "", "%s: groff says:\n%s" % (page, r.stderr))
        r = subprocess.run([groff, "-man", "-Tutf8", "-P-cbou", path], capture_output=True,
                           text=True, timeout=30)
        check("SEE ALSO" in r.stdout, "%s: rendered page has no SEE ALSO" % page)


def test_man_pages_cover_the_interface():
    """Every warmthctl command and every top-level config section is documented."""
    with open(os.path.join(SOURCE_DIR, "docs", "man", "warmthctl.1")) as f:
        ctl = f.read()
    for cmd in ["status", "show", "top", "ready", "metrics", "export", "snooze", "unsnooze",
                "mark", "reload", "ping", "notify-test", "redeliver", "invited", "dismissed",
                "--db", "--json",
                "--account"]:
        check(cmd.replace("-", "\\-") in ctl, "warmthctl.1 does not mention " + cmd)
    with open(os.path.join(SOURCE_DIR, "docs", "man", "warmthd.yaml.5")) as f:
        conf = f.read()
    with open(os.path.join(SOURCE_DIR, "conf", "warmthd.yaml")) as f:
        for line in f:
            # Keys as written in the reference config: "  name: value".
            stripped = line.strip()
            if line.startswith("#") or not stripped or stripped.startswith("#"):
                continue
            key = stripped.lstrip("- ").split(":", 1)[0]
            if ":" in stripped and key.replace("_", "").isalpha():
                check(key in conf, "warmthd.yaml.5 does not document the key " + key)


def test_completion():
    bash = shutil.which("bash")
    if bash is None:
        skip("bash is not installed")
        return
    script = os.path.join(SOURCE_DIR, "tools", "completion", "warmthctl.bash")
    probe = """
source %s
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _warmthctl;
      echo "${COMPREPLY[*]}"; }
t warmthctl ""
t warmthctl --db x.db sh
t warmthctl mark alice de
t warmthctl top -
t warmthctl notify-test w
t warmthctl --db x.db re
""" % script
    r = subprocess.run([bash, "--norc", "-c", probe], capture_output=True, text=True,
                       timeout=30)
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and len(lines) == 6, "completion: %s%s" % (r.stdout, r.stderr))
    check(lines[0].split()[:3] == ["status", "show", "top"], "commands: " + lines[0])
    check(lines[1] == "show", "after --db: " + lines[1])
    check(lines[2] == "declined", "mark states: " + lines[2])
    check("-n" in lines[3].split() and "--json" in lines[3].split(), "top options: " + lines[3])
    check(lines[4] == "webhook", "notify-test notifier types: " + lines[4])
    check(lines[5] == "ready", "after --db only the commands a database answers: " + lines[5])


def test_deb_package():
    for tool in ("cpack", "dpkg-deb"):
        if shutil.which(tool) is None:
            skip("%s is not installed" % tool)
            return
    out = os.path.join(_tmp, "deb")
    r = subprocess.run(["cpack", "-G", "DEB", "-B", out, "--config",
                        os.path.join(BUILD_DIR, "CPackConfig.cmake")],
                       cwd=BUILD_DIR, capture_output=True, text=True, timeout=240)
    check(r.returncode == 0, "cpack failed:\n%s%s" % (r.stdout, r.stderr))
    debs = [n for n in os.listdir(out) if n.endswith(".deb")]
    check(len(debs) == 1, "cpack made %r" % debs)
    deb = os.path.join(out, debs[0])

    r = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "dpkg-deb -c: " + r.stderr)
    files = {line.split()[5].lstrip(".") for line in r.stdout.splitlines()}
    for path in ["/usr/sbin/warmthd", "/usr/bin/warmthctl", "/etc/warmthd/warmthd.yaml",
                 "/etc/logrotate.d/warmthd", "/usr/share/man/man8/warmthd.8",
                 "/usr/share/doc/warmthd/README.md"]:
        check(path in files, "%s not in the package:\n%s" % (path, r.stdout))
    check(any(p.endswith("/systemd/system/warmthd.service") for p in files), "no unit")
    check(not any(p.startswith("/usr/local") for p in files), "files under /usr/local")

    r = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "dpkg-deb -I: " + r.stderr)
    info = r.stdout
    for part in ["Package: warmthd", "Maintainer:", "Description:", "postinst", "postrm",
                 "prerm", "conffiles"]:
        check(part in info, "%r not in dpkg-deb -I:\n%s" % (part, info))
    depends = [x for x in info.splitlines() if x.strip().startswith("Depends:")]
    check(depends, "no Depends:\n" + info)
    for lib in ["adduser", "libuv1", "libyaml-0-2", "libsqlite3-0", "libyajl2", "libxxhash0"]:
        check(lib in depends[0], "Depends lacks %s: %s" % (lib, depends[0]))
    r = subprocess.run(["dpkg-deb", "-I", deb, "conffiles"], capture_output=True, text=True,
                       timeout=30)
    check(r.stdout.split() == ["/etc/warmthd/warmthd.yaml", "/etc/logrotate.d/warmthd"],
          "conffiles: %r" % r.stdout)


FAKE_COMMAND = """#!/bin/sh
echo "$(basename "$0") $*" >> "%s"
case "$(basename "$0")" in
getent) [ -e "%s/user-exists" ] ;;
dpkg-statoverride) exit 1 ;;
esac
"""


def run_script(name, args, fakes, log):
    """Runs a maintainer script with every command that changes the system
    replaced by a fake that logs its arguments; returns the log's lines."""
    open(log, "w").close()
    env = dict(os.environ, PATH=fakes + ":" + os.environ["PATH"])
    r = subprocess.run(["sh", os.path.join(SCRIPTS, name)] + args, env=env,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "%s %s: %s%s" % (name, args, r.stdout, r.stderr))
    with open(log) as f:
        return f.read().splitlines()


def test_maintainer_scripts():
    fakes = os.path.join(_tmp, "fakes")
    os.mkdir(fakes)
    log = os.path.join(_tmp, "calls")
    for cmd in ["getent", "adduser", "addgroup", "mkdir", "chown", "chmod",
                "dpkg-statoverride", "systemctl", "rm", "rmdir"]:
        path = os.path.join(fakes, cmd)
        with open(path, "w") as f:
            f.write(FAKE_COMMAND % (log, fakes))
        os.chmod(path, 0o755)

    calls = run_script("postinst", ["configure", ""], fakes, log)
    check("adduser --quiet --system --group --home /var/lib/warmthd --no-create-home warmthd"
          in calls, "fresh install does not create the user: %r" % calls)
    check("chown warmthd:warmthd /var/lib/warmthd" in calls
          and "chmod 0750 /var/lib/warmthd" in calls, "state directory: %r" % calls)
    for c in calls:
        check(not (c.startswith("systemctl") and ("enable" in c or " start" in c)),
              "installing must start nothing: " + c)

    open(os.path.join(fakes, "user-exists"), "w").close()
    calls = run_script("postinst", ["configure", "0.1.0"], fakes, log)
    check(not any(c.startswith("adduser") or c.startswith("addgroup") for c in calls),
          "second configure adds the user again: %r" % calls)

    calls = run_script("postrm", ["remove"], fakes, log)
    check(not any(c.startswith("rm") for c in calls), "remove deletes files: %r" % calls)
    calls = run_script("prerm", ["upgrade", "0.1.0"], fakes, log)
    check(calls == [], "prerm upgrade does something: %r" % calls)

    # Purge for real, on a copy of postrm whose paths point into the test
    # directory: warmthd's own files go, anything else stays, and the
    # directory goes only when it is empty.
    state = os.path.join(_tmp, "state")
    wants = os.path.join(_tmp, "wants")
    with open(os.path.join(SCRIPTS, "postrm")) as f:
        text = f.read()
    text = text.replace("/var/lib/warmthd", state)
    text = text.replace("/etc/systemd/system/multi-user.target.wants", wants)
    postrm = os.path.join(_tmp, "postrm")
    with open(postrm, "w") as f:
        f.write(text)
    os.makedirs(wants)
    os.symlink("/lib/systemd/system/warmthd.service", os.path.join(wants, "warmthd.service"))
    os.makedirs(state)
    own = ["state.db", "state.db-wal", "state.db-shm", "rejected.jsonl", "rejected.jsonl.1",
           "rejected.jsonl.2.gz", "notifications.jsonl"]
    for name in own + ["backup.db"]:
        open(os.path.join(state, name), "w").close()
    r = subprocess.run(["sh", postrm, "purge"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "postrm purge: " + r.stderr)
    check(sorted(os.listdir(state)) == ["backup.db"], "after purge: %r" % os.listdir(state))
    check(not os.path.lexists(os.path.join(wants, "warmthd.service")), "wants link kept")
    os.unlink(os.path.join(state, "backup.db"))
    open(os.path.join(state, "state.db"), "w").close()
    r = subprocess.run(["sh", postrm, "purge"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and not os.path.exists(state), "purge kept an empty state dir")
    check("userdel" not in text and "deluser" not in text, "purge removes the user")


def test_scripts_lint():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        skip("shellcheck is not installed")
        return
    paths = [os.path.join(SCRIPTS, n) for n in ("postinst", "prerm", "postrm")]
    r = subprocess.run([shellcheck] + paths, capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "shellcheck:\n" + r.stdout)
    r = subprocess.run([shellcheck, "-s", "bash",
                        os.path.join(SOURCE_DIR, "tools", "completion", "warmthctl.bash")],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "shellcheck:\n" + r.stdout)


if __name__ == "__main__":
    try:
        run([test_install_tree, test_man_pages_render, test_man_pages_cover_the_interface,
             test_completion, test_deb_package, test_maintainer_scripts, test_scripts_lint])
    finally:
        shutil.rmtree(_tmp, ignore_errors=True)

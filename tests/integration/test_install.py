"""Installation and packaging: "cmake --install" into a DESTDIR with a /usr
prefix puts every file where the system looks for it (every man page
compressed, the sysusers.d and tmpfiles.d files among them), the installed
config checks out with the installed daemon, the man pages render without
groff warnings, "cpack -G DEB" builds a lintian-clean package (no error, no
warning) with the right files, owners, modes, conffiles, Depends and
maintainer scripts; the package unpacked into a scratch root makes the
warmthd user and its directories there with systemd-sysusers and
systemd-tmpfiles; and the scripts create the user and the state directory
(systemd-sysusers, else adduser), go through deb-systemd-helper and
deb-systemd-invoke as debhelper's would, start nothing, and on purge remove
only what warmthd wrote. Finally the package goes through an
administrator's first hour with the real dpkg, on an overlay of this
machine (nothing outside the test directory changes): install, warmthd
refused as root, the service's user ingesting, reload, enable, upgrade,
remove, purge. Parts whose tools are missing are skipped, saying why."""

import gzip
import os
import re
import shutil
import stat
import subprocess
import tempfile

from harness import BUILD, SOURCE, check, run

BUILD_DIR = os.path.abspath(BUILD)
SOURCE_DIR = os.path.abspath(SOURCE)
SCRIPTS = os.path.join(SOURCE_DIR, "packaging", "debian")
# Every page in docs/man is installed, compressed, in the section its name
# ends with; a program without one is a lintian warning.
MAN_SOURCES = sorted(n for n in os.listdir(os.path.join(SOURCE_DIR, "docs", "man"))
                     if re.search(r"\.[1-8]$", n))
MAN_PAGES = ["man%s/%s.gz" % (n[-1], n) for n in MAN_SOURCES]
PROGRAMS = ["/usr/sbin/warmthd", "/usr/bin/warmthctl", "/usr/bin/warmth-gen",
            "/usr/bin/warmth-import"]

_tmp = tempfile.mkdtemp(prefix="warmth-install-")
BUILT = {}  # the package test_deb_package made, for test_package_lifecycle
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

    expected = expected_files()
    for path, mode in expected.items():
        full = in_root(path)
        check(os.path.isfile(full), "not installed: " + path)
        got = stat.S_IMODE(os.stat(full).st_mode)
        check(got == mode, "%s: mode %o, expected %o" % (path, got, mode))
    # No page installed uncompressed.
    mandir = in_root("/usr/share/man")
    for dirpath, _, names in os.walk(mandir):
        for n in names:
            check(n.endswith(".gz"), "uncompressed man page %s" % os.path.join(dirpath, n))
    unitdir = cache_value("WARMTH_SYSTEMD_UNITDIR")

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


def expected_files():
    """Every file "cmake --install --prefix /usr" puts in place, with its mode."""
    unitdir = cache_value("WARMTH_SYSTEMD_UNITDIR")
    completions = cache_value("WARMTH_BASH_COMPLETION_DIR")
    if not completions.startswith("/"):
        completions = "/usr/" + completions
    expected = {
        "/etc/warmthd/warmthd.yaml": 0o644,
        "/etc/logrotate.d/warmthd": 0o644,
        unitdir + "/warmthd.service": 0o644,
        cache_value("WARMTH_SYSUSERS_DIR") + "/warmthd.conf": 0o644,
        cache_value("WARMTH_TMPFILES_DIR") + "/warmthd.conf": 0o644,
        completions + "/warmthctl": 0o644,
        "/usr/share/doc/warmthd/README.md": 0o644,
        "/usr/share/doc/warmthd/ingest.md": 0o644,
        "/usr/share/doc/warmthd/events.md": 0o644,
        "/usr/share/doc/warmthd/control-protocol.md": 0o644,
        "/usr/share/doc/warmthd/dashboard.md": 0o644,
        # The dashboard's page, where http.www_dir's default looks.
        "/usr/share/warmthd/www/index.html": 0o644,
        "/usr/share/doc/warmthd/copyright": 0o644,
        "/usr/share/doc/warmthd/changelog.gz": 0o644,
    }
    for program in PROGRAMS:
        expected[program] = 0o755
    for page in MAN_PAGES:
        expected["/usr/share/man/" + page] = 0o644
    return expected


def test_man_pages_render():
    # Each installed page is its source, gzip -9n: no name, no time stamp
    # (the same page gives the same bytes), best compression (XFL 2).
    for name, page in zip(MAN_SOURCES, MAN_PAGES):
        with open(in_root("/usr/share/man/" + page), "rb") as f:
            data = f.read()
        check(data[3] & 0x08 == 0 and data[4:8] == b"\0\0\0\0" and data[8] == 2,
              "%s: not compressed with gzip -9n (header %r)" % (page, data[:10]))
        with open(os.path.join(SOURCE_DIR, "docs", "man", name), "rb") as f:
            check(gzip.decompress(data) == f.read(), "%s differs from docs/man/%s" % (page, name))
    groff = shutil.which("groff")
    if groff is None:
        skip("groff is not installed (apt-get install groff-base)")
        return
    for name in MAN_SOURCES:
        path = os.path.join(SOURCE_DIR, "docs", "man", name)
        r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", path],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 0 and r.stderr == "", "%s: groff says:\n%s" % (name, r.stderr))
        r = subprocess.run([groff, "-man", "-Tutf8", "-P-cbou", path], capture_output=True,
                           text=True, timeout=30)
        check("SEE ALSO" in r.stdout, "%s: rendered page has no SEE ALSO" % name)
    # Every installed program has its page.
    for program in PROGRAMS:
        base = os.path.basename(program)
        check(any(n.rsplit(".", 1)[0] == base for n in MAN_SOURCES),
              "no man page for " + program)


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


def package_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        return re.search(r"project\(warmthd VERSION ([0-9.]+)", f.read()).group(1)


def fallback_depends():
    """The Depends package.cmake writes when dpkg-shlibdeps is missing."""
    with open(os.path.join(SOURCE_DIR, "cmake", "package.cmake")) as f:
        text = f.read()
    m = re.search(r'else\(\)\s*(?:#[^\n]*\n\s*)*set\(CPACK_DEBIAN_PACKAGE_DEPENDS\s*"([^"]*)"', text)
    check(m, "no fallback Depends in package.cmake")
    return m.group(1)


def package_names(depends):
    return sorted(x.strip().split()[0] for x in depends.split(","))


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
    BUILT["deb"] = deb

    # Every file with its owner and mode, as dpkg will create it.
    r = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "dpkg-deb -c: " + r.stderr)
    listing = {}
    for line in r.stdout.splitlines():
        fields = line.split()
        listing[fields[5].lstrip(".").rstrip("/") or "/"] = (fields[0], fields[1])
    for path, (mode, owner) in listing.items():
        check(owner == "root/root", "%s belongs to %s" % (path, owner))
        if mode.startswith("d"):
            check(mode == "drwxr-xr-x", "%s: %s" % (path, mode))
    for path, mode in expected_files().items():
        check(path in listing, "%s not in the package:\n%s" % (path, r.stdout))
        want = "-" + "".join("rwx"[i % 3] if mode & (0o400 >> i) else "-" for i in range(9))
        check(listing[path][0] == want, "%s: %s, expected %s" % (path, listing[path][0], want))
    check(not any(p.startswith("/usr/local") for p in listing), "files under /usr/local")
    # The event format that warmthd(8) and warmth-gen --help point at.
    check("/usr/share/doc/warmthd/events.md" in listing and
          "/usr/share/man/man5/warmthd-events.5.gz" in listing,
          "the event format is not in the package:\n%s" % r.stdout)

    r = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "dpkg-deb -I: " + r.stderr)
    info = r.stdout
    for part in ["Package: warmthd", "Maintainer:", "Description:", "postinst", "postrm",
                 "prerm", "conffiles"]:
        check(part in info, "%r not in dpkg-deb -I:\n%s" % (part, info))
    depends = [x for x in info.splitlines() if x.strip().startswith("Depends:")]
    check(depends, "no Depends:\n" + info)
    depends = depends[0].split(":", 1)[1]
    for lib in ["adduser", "libuv1", "libyaml-0-2", "libsqlite3-0", "libyajl2", "libxxhash0",
                "libsimdjson", "libssl", "libmicrohttpd", "libstdc++6", "libzip", "libcsv",
                "libcurl4"]:
        check(lib in depends, "Depends lacks %s: %s" % (lib, depends))
    # The list written for builds without dpkg-shlibdeps names the same
    # packages as the one dpkg-shlibdeps reads from the binaries (of a
    # release build: a sanitized one also needs the sanitizers' runtimes).
    sanitized = any(cache_value(o) == "ON" for o in ("WARMTH_SANITIZE", "WARMTH_TSAN"))
    if not sanitized and cache_value("WARMTH_DPKG_SHLIBDEPS") not in (
            None, "", "WARMTH_DPKG_SHLIBDEPS-NOTFOUND"):
        check(package_names(fallback_depends()) == package_names(depends),
              "package.cmake's fallback Depends %r, dpkg-shlibdeps %r"
              % (package_names(fallback_depends()), package_names(depends)))
    r = subprocess.run(["dpkg-deb", "-I", deb, "conffiles"], capture_output=True, text=True,
                       timeout=30)
    check(r.stdout.split() == ["/etc/warmthd/warmthd.yaml", "/etc/logrotate.d/warmthd"],
          "conffiles: %r" % r.stdout)

    # Unpacked into a scratch root: owners and modes as listed, the
    # changelog's newest entry is this version, the programs are stripped.
    root = os.path.join(_tmp, "scratch")
    r = subprocess.run(["dpkg-deb", "-x", deb, root], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 0, "dpkg-deb -x: " + r.stderr)
    for path, mode in expected_files().items():
        st = os.lstat(os.path.join(root, path.lstrip("/")))
        check(stat.S_IMODE(st.st_mode) == mode and (os.geteuid() != 0 or st.st_uid == 0),
              "unpacked %s: mode %o uid %d" % (path, stat.S_IMODE(st.st_mode), st.st_uid))
    with gzip.open(os.path.join(root, "usr/share/doc/warmthd/changelog.gz"), "rt") as f:
        first = f.readline()
    check(first.startswith("warmthd (%s) " % package_version()),
          "changelog's newest entry %r is not version %s" % (first, package_version()))
    readelf = shutil.which("readelf")
    if readelf is not None:
        for program in PROGRAMS:
            r = subprocess.run([readelf, "-S", os.path.join(root, program.lstrip("/"))],
                               capture_output=True, text=True, timeout=30)
            check(".symtab" not in r.stdout and ".debug_info" not in r.stdout,
                  "%s is not stripped" % program)

    # The sysusers.d and tmpfiles.d files, applied to the scratch root
    # (--root: nothing on this machine changes), make the user and group
    # and the directories the unit and the configuration need.
    sysusers, tmpfiles = shutil.which("systemd-sysusers"), shutil.which("systemd-tmpfiles")
    if sysusers is None or tmpfiles is None or os.geteuid() != 0:
        skip("sysusers/tmpfiles in a scratch root need root and systemd-sysusers, "
             "systemd-tmpfiles")
    else:
        r = subprocess.run([sysusers, "--root=" + root, "warmthd.conf"], capture_output=True,
                           text=True, timeout=30)
        check(r.returncode == 0, "systemd-sysusers: %s%s" % (r.stdout, r.stderr))
        with open(os.path.join(root, "etc", "passwd")) as f:
            user = [x.split(":") for x in f.read().splitlines() if x.startswith("warmthd:")]
        check(len(user) == 1 and user[0][5] == "/var/lib/warmthd"
              and user[0][6].endswith("nologin") and int(user[0][2]) < 1000,
              "sysusers made %r" % user)
        r = subprocess.run([tmpfiles, "--root=" + root, "--create", "warmthd.conf"],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 0, "systemd-tmpfiles: %s%s" % (r.stdout, r.stderr))
        for d in ("var/lib/warmthd", "run/warmthd"):
            st = os.stat(os.path.join(root, d))
            check(st.st_uid == int(user[0][2]) and st.st_gid == int(user[0][3])
                  and stat.S_IMODE(st.st_mode) == 0o750,
                  "/%s: uid %d gid %d mode %o" % (d, st.st_uid, st.st_gid,
                                                  stat.S_IMODE(st.st_mode)))

    lintian = shutil.which("lintian")
    if lintian is None:
        skip("lintian is not installed (apt-get install lintian)")
        return
    r = subprocess.run([lintian, deb], capture_output=True, text=True, timeout=240)
    tags = [x for x in r.stdout.splitlines() if x.startswith(("E:", "W:"))]
    check(not tags and r.returncode == 0, "lintian:\n%s%s" % (r.stdout, r.stderr))


# Every command the scripts run is replaced by one that logs its arguments
# (PATH holds only the fakes, so nothing on this machine changes): getent
# finds the user once "user-exists" is there, deb-systemd-helper says the
# unit is installed and was enabled once "debian-installed" and
# "was-enabled" are there.
FAKE_COMMAND = """#!/bin/sh
echo "${0##*/} $*" >> "%(log)s"
case "${0##*/} $*" in
getent*) [ -e "%(dir)s/user-exists" ] ;;
dpkg-statoverride*) exit 1 ;;
"deb-systemd-helper debian-installed"*) [ -e "%(dir)s/debian-installed" ] ;;
"deb-systemd-helper --quiet was-enabled"*) [ -e "%(dir)s/was-enabled" ] ;;
esac
"""
FAKED = ["getent", "adduser", "addgroup", "mkdir", "chown", "chmod", "dpkg-statoverride",
         "systemctl", "rm", "rmdir", "deb-systemd-helper", "deb-systemd-invoke",
         "systemd-sysusers", "systemd-tmpfiles"]
# The scripts' guard for a running systemd, which a test cannot set.
SYSTEMD_RUNNING = os.path.isdir("/run/systemd/system")


def run_script(name, args, fakes, log, path=None):
    """Runs a maintainer script with every command replaced by a fake that
    logs its arguments; returns the log's lines."""
    open(log, "w").close()
    env = {"PATH": fakes}
    r = subprocess.run(["/bin/sh", path or os.path.join(SCRIPTS, name)] + args, env=env,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "%s %s: %s%s" % (name, args, r.stdout, r.stderr))
    with open(log) as f:
        return f.read().splitlines()


def make_fakes(where, log, names):
    os.mkdir(where)
    for cmd in names:
        path = os.path.join(where, cmd)
        with open(path, "w") as f:
            f.write(FAKE_COMMAND % {"log": log, "dir": where})
        os.chmod(path, 0o755)


def test_maintainer_scripts():
    fakes = os.path.join(_tmp, "fakes")
    log = os.path.join(_tmp, "calls")
    make_fakes(fakes, log, FAKED)

    # A fresh install with systemd-sysusers: the user from the sysusers.d
    # file, the directories from tmpfiles.d under systemd (else made here),
    # the unit neither enabled nor started but recorded for the purge.
    calls = run_script("postinst", ["configure", ""], fakes, log)
    check("systemd-sysusers warmthd.conf" in calls, "no systemd-sysusers: %r" % calls)
    check(not any(c.startswith(("adduser", "addgroup")) for c in calls),
          "adduser beside systemd-sysusers: %r" % calls)
    if SYSTEMD_RUNNING:
        check("systemd-tmpfiles --create warmthd.conf" in calls, "no tmpfiles: %r" % calls)
    else:
        for d in ("/var/lib/warmthd", "/run/warmthd"):
            check("chown warmthd:warmthd " + d in calls and "chmod 0750 " + d in calls,
                  "%s: %r" % (d, calls))
    check("deb-systemd-helper update-state warmthd.service" in calls,
          "deb-systemd-helper does not record the unit: %r" % calls)
    for c in calls:
        check(not c.startswith("systemctl") or c == "systemctl --system daemon-reload",
              "systemctl called directly: " + c)
        check(not (" enable" in c or " start" in c or "restart" in c),
              "installing must enable and start nothing: " + c)

    # Without systemd-sysusers: adduser, as before sysusers.d existed.
    os.unlink(os.path.join(fakes, "systemd-sysusers"))
    calls = run_script("postinst", ["configure", ""], fakes, log)
    check("adduser --quiet --system --group --home /var/lib/warmthd --no-create-home warmthd"
          in calls, "fresh install does not create the user: %r" % calls)

    # An upgrade of a unit the administrator enabled keeps it enabled, and
    # restarts it only through deb-systemd-invoke (when systemd runs).
    for marker in ("user-exists", "debian-installed", "was-enabled"):
        open(os.path.join(fakes, marker), "w").close()
    calls = run_script("postinst", ["configure", "0.1.0"], fakes, log)
    check(not any(c.startswith("adduser") or c.startswith("addgroup") for c in calls),
          "second configure adds the user again: %r" % calls)
    check("deb-systemd-helper enable warmthd.service" in calls, "not kept enabled: %r" % calls)
    check(not SYSTEMD_RUNNING or "deb-systemd-invoke try-restart warmthd.service" in calls,
          "no restart on upgrade: %r" % calls)
    os.unlink(os.path.join(fakes, "was-enabled"))
    calls = run_script("postinst", ["configure", "0.1.0"], fakes, log)
    check("deb-systemd-helper enable warmthd.service" not in calls,
          "a disabled unit enabled by an upgrade: %r" % calls)

    calls = run_script("postrm", ["remove"], fakes, log)
    check(not any(c.startswith("rm") for c in calls), "remove deletes files: %r" % calls)
    check("deb-systemd-helper mask warmthd.service" in calls, "remove does not mask: %r" % calls)
    calls = run_script("prerm", ["upgrade", "0.1.0"], fakes, log)
    check(calls == [], "prerm upgrade does something: %r" % calls)
    calls = run_script("prerm", ["remove"], fakes, log)
    check(calls == (["deb-systemd-invoke stop warmthd.service"] if SYSTEMD_RUNNING else []),
          "prerm remove: %r" % calls)

    # Purge for real, on a copy of postrm whose paths point into the test
    # directory (rm and rmdir real, deb-systemd-helper fake): warmthd's own
    # files go, anything else stays, and the directory goes only when it
    # is empty.
    state = os.path.join(_tmp, "state")
    wants = os.path.join(_tmp, "wants")
    with open(os.path.join(SCRIPTS, "postrm")) as f:
        text = f.read()
    text = text.replace("/var/lib/warmthd", state)
    text = text.replace("/etc/systemd/system/multi-user.target.wants", wants)
    postrm = os.path.join(_tmp, "postrm")
    with open(postrm, "w") as f:
        f.write(text)
    purge_fakes = os.path.join(_tmp, "purge-fakes")
    make_fakes(purge_fakes, log, ["deb-systemd-helper", "systemctl"])
    for cmd in ("rm", "rmdir"):
        os.symlink(shutil.which(cmd), os.path.join(purge_fakes, cmd))
    os.makedirs(wants)
    os.symlink("/lib/systemd/system/warmthd.service", os.path.join(wants, "warmthd.service"))
    os.makedirs(state)
    own = ["state.db", "state.db-wal", "state.db-shm", "rejected.jsonl", "rejected.jsonl.1",
           "rejected.jsonl.2.gz", "notifications.jsonl"]
    for name in own + ["backup.db"]:
        open(os.path.join(state, name), "w").close()
    calls = run_script("postrm", ["purge"], purge_fakes, log, path=postrm)
    check(sorted(os.listdir(state)) == ["backup.db"], "after purge: %r" % os.listdir(state))
    check(not os.path.lexists(os.path.join(wants, "warmthd.service")), "wants link kept")
    check(calls[:2] == ["deb-systemd-helper purge warmthd.service",
                        "deb-systemd-helper unmask warmthd.service"],
          "purge leaves deb-systemd-helper's state: %r" % calls)
    os.unlink(os.path.join(state, "backup.db"))
    open(os.path.join(state, "state.db"), "w").close()
    run_script("postrm", ["purge"], purge_fakes, log, path=postrm)
    check(not os.path.exists(state), "purge kept an empty state dir")
    check("userdel" not in text and "deluser" not in text, "purge removes the user")


# An administrator's first hour with the package, on a copy-on-write view
# of this machine: an overlay whose lower layer is / and whose upper layer
# is the test's directory, in a mount namespace of its own, so dpkg runs
# for real and nothing outside the test directory changes. No systemd runs
# there, so the service is started as the unit would start it (as warmthd,
# by setpriv, which execs the daemon: its exit status is the daemon's).
LIFECYCLE = r"""
set -u
root="$1"; deb="$2"
mount -t overlay overlay -o "lowerdir=/,upperdir=$root/upper,workdir=$root/work" "$root/merged"
mount --bind /proc "$root/merged/proc"
mount --bind /dev "$root/merged/dev"
mount -t tmpfs tmpfs "$root/merged/run"
mount -t tmpfs tmpfs "$root/merged/tmp"
cp "$deb" "$root/merged/tmp/warmthd.deb"
exec chroot "$root/merged" /bin/sh -c '
step() { echo "== $1 $2"; }
wants=/etc/systemd/system/multi-user.target.wants/warmthd.service
# man-db re-indexes every page at each dpkg run unless told not to.
rm -f /var/lib/man-db/auto-update
dpkg -i /tmp/warmthd.deb >/tmp/dpkg.log 2>&1; step install $?
getent passwd warmthd | cut -d: -f6,7; stat -c "%U:%G %a %n" /var/lib/warmthd /run/warmthd
[ -e $wants ]; step enabled-by-install $?
warmthd -t -c /etc/warmthd/warmthd.yaml; step check-as-root $?
timeout 10 warmthd -c /etc/warmthd/warmthd.yaml 2>&1; step run-as-root $?
ls -A /var/lib/warmthd | wc -l
mkdir -p /var/log/engagement
echo "{\"ts\":1793700000,\"type\":\"like\",\"actor\":\"ada\",\"id\":\"l1\"}" > /var/log/engagement/a.jsonl
setpriv --reuid=warmthd --regid=warmthd --init-groups warmthd -c /etc/warmthd/warmthd.yaml 2>/tmp/daemon.log &
pid=$!
i=0
while [ $i -lt 100 ] && ! warmthctl --json status 2>/dev/null | grep -q "events_accepted.:1"; do
	sleep 0.1; i=$((i + 1))
done
warmthctl --json status | grep -o "events_accepted.:[0-9]*"
warmthctl reload; step reload $?
# An operator in the warmthd group may read; changing needs allow_users.
useradd -M -N -G warmthd alice && useradd -M -N bob
runuser -u alice -- warmthctl status >/dev/null; step group-reads $?
runuser -u alice -- warmthctl reload 2>&1; step group-changes $?
runuser -u bob -- warmthctl status >/dev/null 2>&1; step others-read $?
sed -i "s/^control:\$/control:\n  allow_users: [alice]/" /etc/warmthd/warmthd.yaml
warmthctl reload >/dev/null; runuser -u alice -- warmthctl reload; step allowed-changes $?
kill $pid; wait $pid; step stop $?
stat -c "%U %n" /var/lib/warmthd/state.db
systemctl enable warmthd >/dev/null 2>&1; step enable $?
echo "# edited by the administrator" >> /etc/warmthd/warmthd.yaml
dpkg -i /tmp/warmthd.deb >/tmp/dpkg.log 2>&1; step upgrade $?
grep -q "^# edited by the administrator" /etc/warmthd/warmthd.yaml && [ -L $wants ] &&
	[ -f /var/lib/warmthd/state.db ]; step upgrade-kept $?
dpkg -r warmthd >/tmp/dpkg.log 2>&1; step remove $?
[ -f /etc/warmthd/warmthd.yaml ] && [ -f /var/lib/warmthd/state.db ]; step kept $?
dpkg -P warmthd >/tmp/dpkg.log 2>&1; step purge $?
[ -e /etc/warmthd ] || [ -e /var/lib/warmthd ] || [ -L $wants ] || [ -L /etc/systemd/system/warmthd.service ]; step left $?
getent passwd warmthd >/dev/null; step user-kept $?
'
"""


def test_package_lifecycle():
    deb = BUILT.get("deb")
    if deb is None:
        skip("no package was built")
        return
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("dpkg") is None:
        skip("the package's life cycle needs root, unshare and dpkg")
        return
    root = os.path.join(_tmp, "overlay")
    for d in ("upper", "work", "merged"):
        os.makedirs(os.path.join(root, d))
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "mount -t overlay overlay -o lowerdir=/,upperdir=%s/upper,"
                            "workdir=%s/work %s/merged" % (root, root, root)],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        skip("cannot mount an overlay of / here: " + probe.stderr.strip())
        return
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "--fork", "sh", "-c",
                        LIFECYCLE, "sh", root, deb], capture_output=True, text=True,
                       timeout=240)
    out = r.stdout
    steps = dict(line.split()[1:3] for line in out.splitlines() if line.startswith("== "))
    want = {"install": "0", "enabled-by-install": "1", "check-as-root": "0",
            "run-as-root": "1", "reload": "0", "group-reads": "0", "group-changes": "1",
            "others-read": "3", "allowed-changes": "0", "stop": "0", "enable": "0", "upgrade": "0",
            "upgrade-kept": "0", "remove": "0",
            "kept": "0", "purge": "0", "left": "1", "user-kept": "0"}
    check(steps == want, "life cycle: %r, expected %r:\n%s%s" % (steps, want, out, r.stderr))
    lines = out.splitlines()
    check("/var/lib/warmthd:/usr/sbin/nologin" in lines, "the user:\n" + out)
    for d in ("/var/lib/warmthd", "/run/warmthd"):
        check("warmthd:warmthd 750 " + d in lines, "%s:\n%s" % (d, out))
    check("runuser -u warmthd -- warmthd -c /etc/warmthd/warmthd.yaml" in out,
          "root's refusal does not say what to do:\n" + out)
    check(lines[lines.index("== run-as-root 1") + 1] == "0", "root created files:\n" + out)
    check('events_accepted":1' in lines and "configuration reloaded" in lines,
          "the service as warmthd:\n" + out)
    check("forbidden" in lines[lines.index("== group-changes 1") - 1],
          "a group member's reload:\n" + out)
    check("warmthd /var/lib/warmthd/state.db" in lines, "state.db's owner:\n" + out)


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
             test_completion, test_deb_package, test_package_lifecycle, test_maintainer_scripts,
             test_scripts_lint])
    finally:
        shutil.rmtree(_tmp, ignore_errors=True)

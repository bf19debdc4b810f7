// tcp_conformance: runs conformance scripts against minternet's TCP (virtual
// time, in this process) and against the Linux kernel (each script in a
// child process with a network namespace and a TAP of its own).
//
//   tcp_conformance [--target minternet|linux|both] [--jobs N]
//                   [--markdown FILE] SCRIPT_OR_DIRECTORY...
//
// Exit status: 0 when every script passed on every target asked for, 1 when
// one failed, 2 for bad usage or a script that does not parse, 77 when the
// Linux target needs root that is missing (outside CI; with CI=true that is
// a failure, as CI must run it).
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "conformance/linux_target.hpp"
#include "conformance/minternet_target.hpp"
#include "conformance/runner.hpp"

namespace {

using conformance::Outcome;
using conformance::Script;
using conformance::TargetKind;

struct Options {
    bool minternet = true;
    bool linux_kernel = true;
    size_t jobs = 6;
    std::string markdown;
    std::vector<std::string> paths;
};

int usage(const std::string& problem) {
    std::cerr << "tcp_conformance: " << problem
              << "\nusage: tcp_conformance [--target minternet|linux|both] [--jobs N] "
                 "[--markdown FILE] SCRIPT_OR_DIRECTORY...\n";
    return 2;
}

std::vector<std::filesystem::path> script_files(const std::vector<std::string>& paths) {
    std::vector<std::filesystem::path> files;
    for (const auto& p : paths) {
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::directory_iterator(p))
                if (e.path().extension() == ".tcp") files.push_back(e.path());
        } else {
            files.emplace_back(p);
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string serialise(const Outcome& o) {
    return std::to_string(o.passed) + "\n" + std::to_string(o.line) + "\n" +
           std::to_string(o.took.ns()) + "\n" + o.message;
}

Outcome deserialise(const std::string& s) {
    Outcome o;
    std::istringstream in(s);
    std::string passed, line, took;
    if (!std::getline(in, passed) || !std::getline(in, line) || !std::getline(in, took)) {
        o.message = "the child running the script died without a result";
        return o;
    }
    o.passed = passed == "1";
    o.line = std::stoi(line);
    o.took = base::Duration::nanoseconds(std::stoll(took));
    std::getline(in, o.message, '\0');
    return o;
}

// In the child: a namespace of its own, the kernel set up, the script run.
[[noreturn]] void linux_child(const Script& script, int out) {
    Outcome o;
    if (unshare(CLONE_NEWNET) != 0) {
        o.message = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
    } else if (auto target = conformance::make_linux_target(); !target) {
        o.message = "setting up the kernel's side: " + target.error();
    } else {
        o = conformance::run_script(script, **target);
    }
    const std::string s = serialise(o);
    size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = write(out, s.data() + done, s.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    _exit(0);
}

std::vector<Outcome> run_linux(const std::vector<Script>& scripts, size_t jobs) {
    std::vector<Outcome> outcomes(scripts.size());
    struct Child {
        size_t index;
        int fd;
        std::string data;
    };
    std::map<pid_t, Child> running;
    size_t next = 0;
    while (next < scripts.size() || !running.empty()) {
        while (next < scripts.size() && running.size() < jobs) {
            int fds[2];
            if (pipe(fds) != 0) {
                outcomes[next++].message = "pipe failed";
                continue;
            }
            std::cout.flush();
            const pid_t pid = fork();
            if (pid == 0) {
                close(fds[0]);
                linux_child(scripts[next], fds[1]);
            }
            close(fds[1]);
            if (pid < 0) {
                close(fds[0]);
                outcomes[next++].message = "fork failed";
                continue;
            }
            running[pid] = {next++, fds[0], {}};
        }
        // Read whichever child finishes; its pipe closes when it exits.
        int status = 0;
        const pid_t pid = wait(&status);
        if (pid < 0) break;
        auto it = running.find(pid);
        if (it == running.end()) continue;
        char buffer[4096];
        ssize_t n;
        while ((n = read(it->second.fd, buffer, sizeof buffer)) > 0)
            it->second.data.append(buffer, static_cast<size_t>(n));
        close(it->second.fd);
        outcomes[it->second.index] = deserialise(it->second.data);
        running.erase(it);
    }
    return outcomes;
}

std::string seconds(base::Duration d) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", d.seconds_f());
    return b;
}

void report(const std::vector<Script>& scripts, const std::vector<Outcome>& outcomes,
            TargetKind target, int& failures) {
    for (size_t i = 0; i < scripts.size(); ++i) {
        const Outcome& o = outcomes[i];
        std::cout << (o.passed ? "PASS " : "FAIL ") << to_string(target) << ' ' << scripts[i].name
                  << " (" << seconds(o.took) << " s)";
        if (!o.passed) {
            std::cout << "\n     " << o.message;
            ++failures;
        }
        std::cout << '\n';
    }
}

// Text safe inside a Markdown table cell.
std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else {
            out += c;
        }
    }
    return out;
}

std::string cell(const std::vector<Outcome>* outcomes, size_t i) {
    if (outcomes == nullptr) return "not run";
    return (*outcomes)[i].passed ? "pass" : "FAIL";
}

void write_markdown(const std::string& path, const std::vector<Script>& scripts,
                    const std::vector<Outcome>* mine, const std::vector<Outcome>* kernel) {
    std::ofstream f(path);
    f << "| script | what it checks | minternet | Linux | differs (and the RFC that allows it) |\n"
         "|---|---|---|---|---|\n";
    for (size_t i = 0; i < scripts.size(); ++i) {
        const Script& s = scripts[i];
        f << "| `" << s.name << "` | " << escape(s.title)
          << (s.rfc.empty() ? "" : " (" + escape(s.rfc) + ")") << " | " << cell(mine, i) << " | "
          << cell(kernel, i) << " | " << (s.differs.empty() ? "—" : escape(s.differs)) << " |\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string(argv[++i]);
        };
        if (a == "--target") {
            auto v = value();
            if (!v || (*v != "minternet" && *v != "linux" && *v != "both"))
                return usage("--target takes minternet, linux or both");
            opt.minternet = *v != "linux";
            opt.linux_kernel = *v != "minternet";
        } else if (a == "--jobs") {
            auto v = value();
            if (!v || std::atoi(v->c_str()) < 1) return usage("--jobs takes a positive number");
            opt.jobs = static_cast<size_t>(std::atoi(v->c_str()));
        } else if (a == "--markdown") {
            auto v = value();
            if (!v) return usage("--markdown takes a file name");
            opt.markdown = *v;
        } else if (a.starts_with("--")) {
            return usage("unknown option " + a);
        } else {
            opt.paths.push_back(a);
        }
    }
    if (opt.paths.empty()) return usage("no scripts given");

    std::vector<Script> scripts;
    for (const auto& file : script_files(opt.paths)) {
        std::ifstream in(file);
        if (!in) return usage("cannot read " + file.string());
        std::stringstream text;
        text << in.rdbuf();
        auto s = conformance::parse_script(text.str(), file.stem().string());
        if (!s) {
            std::cerr << "tcp_conformance: " << s.error() << '\n';
            return 2;
        }
        scripts.push_back(std::move(*s));
    }
    if (scripts.empty()) return usage("no .tcp scripts found");

    int failures = 0;
    std::optional<std::vector<Outcome>> mine, kernel;
    if (opt.minternet) {
        mine.emplace();
        for (const Script& s : scripts) {
            auto target = conformance::make_minternet_target();
            mine->push_back(conformance::run_script(s, *target));
        }
        report(scripts, *mine, TargetKind::minternet, failures);
    }
    if (opt.linux_kernel) {
        if (geteuid() != 0) {
            const char* ci = std::getenv("CI");
            if (ci != nullptr && std::string(ci) == "true") {
                std::cerr << "tcp_conformance: the Linux target needs root (network namespaces "
                             "and a TAP), and CI must run it\n";
                return 1;
            }
            std::cerr << "tcp_conformance: SKIPPED the Linux target: needs root\n";
            return 77;
        }
        kernel = run_linux(scripts, opt.jobs);
        report(scripts, *kernel, TargetKind::linux_kernel, failures);
    }
    if (!opt.markdown.empty())
        write_markdown(opt.markdown, scripts, mine ? &*mine : nullptr, kernel ? &*kernel : nullptr);
    std::cout << scripts.size() << " scripts, " << failures << " failed\n";
    return failures == 0 ? 0 : 1;
}

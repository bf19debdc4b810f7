// The `minternet` command.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/hello.hpp"

int main(int argc, char** argv) {
    CLI::App app{"minternet: a user-space Internet — TCP/IP stack, DNS, simulator"};
    app.require_subcommand(1);

    cli::HelloOptions hello;
    CLI::App* hello_cmd =
        app.add_subcommand("hello", "Wrap a message in TCP, IP and Ethernet and show every layer");
    hello_cmd->add_option("--message,-m", hello.message, "The application data")
        ->capture_default_str();
    hello_cmd->add_option("--pcap", hello.pcap_path, "Also write the frame to this pcap file");

    CLI11_PARSE(app, argc, argv);

    if (*hello_cmd) return cli::run_hello(hello, stdout);
    return 0;
}

fn main() -> std::process::ExitCode {
    securescan::cli::main()
}

import FuzzerDriver

/// The program's entry: SwiftPM links an executable's `main` to this symbol; it hands the
/// command line to libFuzzer's driver, which calls `LLVMFuzzerTestOneInput` for each input.
@_cdecl("infer_request_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    dtrn_fuzzer_run(argc, argv)
}

#ifndef FUZZER_DRIVER_H
#define FUZZER_DRIVER_H
/// Runs libFuzzer's driver on the command line with the program's LLVMFuzzerTestOneInput.
int dtrn_fuzzer_run(int argc, char **argv);
#endif

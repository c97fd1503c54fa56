#ifndef DTRN_CBLAS_SHIM_H
#define DTRN_CBLAS_SHIM_H
#include <cblas.h>
#endif

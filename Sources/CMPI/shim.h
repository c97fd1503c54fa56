#ifndef DTRN_CMPI_SHIM_H
#define DTRN_CMPI_SHIM_H

#include <mpi.h>

// Open MPI spells its handles as macros over the addresses of global objects, which Swift
// cannot import; these functions return them.

static inline MPI_Comm dtrn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm dtrn_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype dtrn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype dtrn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype dtrn_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype dtrn_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype dtrn_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype dtrn_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op dtrn_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op dtrn_mpi_max(void) { return MPI_MAX; }
static inline MPI_Request dtrn_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *dtrn_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *dtrn_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Info dtrn_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Errhandler dtrn_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *dtrn_mpi_in_place(void) { return MPI_IN_PLACE; }

#endif

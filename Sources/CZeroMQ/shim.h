#ifndef MARSAD_CZEROMQ_SHIM_H
#define MARSAD_CZEROMQ_SHIM_H
#include <zmq.h>
#endif

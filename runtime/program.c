/*
 * program.c - names of task program ops, for demos, traces and errors.
 * Building programs is the workloads' job (bench/workloads.c), not this file's.
 */
#include <gilbench/program.h>

const char *gb_op_name(enum gb_op_kind kind)
{
	static const char *const names[GB_OP__COUNT] = {
	        [GB_OP_COMPUTE] = "compute", [GB_OP_NATIVE] = "native", [GB_OP_SLEEP] = "sleep",
	        [GB_OP_ECHO] = "echo",       [GB_OP_PRINT] = "print",   [GB_OP_RETURN] = "return",
	        [GB_OP_YIELD] = "yield",
	};

	if ((unsigned)kind >= GB_OP__COUNT)
		return "unknown";
	return names[kind];
}

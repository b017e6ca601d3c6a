// libedit's readline-compatible interface: line editing (emacs keys, Ctrl-R search), history
// and completion. Only ZoneKVLineEditor imports it.
#ifndef ZONEKV_CLIBEDIT_SHIM_H
#define ZONEKV_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>

// libedit's settings are C globals; Swift 6 reaches them through these functions.
static inline void zonekv_edit_set_name(const char *name) { rl_readline_name = name; }
static inline void zonekv_edit_set_completion(rl_completion_func_t *function) { rl_attempted_completion_function = function; }
static inline void zonekv_edit_completion_done(void) { rl_attempted_completion_over = 1; }
static inline const char *zonekv_edit_line_buffer(void) { return rl_line_buffer; }
static inline void zonekv_edit_set_catch_signals(int catching) { rl_catch_signals = catching; }

#endif

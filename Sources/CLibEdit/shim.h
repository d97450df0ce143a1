#ifndef RAFTSH_CLIBEDIT_SHIM_H
#define RAFTSH_CLIBEDIT_SHIM_H
// libedit for Swift. el_set, el_get and history are C varargs functions, which Swift cannot
// call; every call the shell needs is wrapped below in a small `static inline` function with a
// fixed signature. libedit's state stays behind an opaque EditLine *; the C globals it needs
// (stdin, stdout, stderr) are only touched here, so Swift 6 never sees them.
//
// Callbacks: libedit calls plain C functions without a context argument, so each EditLine
// carries a `struct raftsh_el_context` as its client data (EL_CLIENTDATA). The prompt function
// below returns the prompt string kept in that context; the key functions below forward to
// Swift through the function pointer and owner pointer kept in it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <histedit.h>

/// A key function implemented in Swift: gets the owner pointer back; returns a CC_* code.
typedef unsigned char (*raftsh_el_key_fn)(EditLine *el, int ch, void *owner);

/// Per-EditLine state reached through EL_CLIENTDATA.
struct raftsh_el_context {
    char *prompt;                   // owned (malloc); never NULL after raftsh_el_open
    raftsh_el_key_fn complete;      // bound to Tab
    raftsh_el_key_fn interrupt;     // bound to Ctrl-C
    void *owner;                    // passed back to the key functions
};

static inline struct raftsh_el_context *raftsh_el_context_of(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return (struct raftsh_el_context *)data;
}

static inline char *raftsh_el_prompt_fn(EditLine *el) {
    struct raftsh_el_context *ctx = raftsh_el_context_of(el);
    static char empty[] = "";
    return ctx && ctx->prompt ? ctx->prompt : empty;
}

static inline unsigned char raftsh_el_complete_fn(EditLine *el, int ch) {
    struct raftsh_el_context *ctx = raftsh_el_context_of(el);
    if (!ctx || !ctx->complete) return CC_ERROR;
    return ctx->complete(el, ch, ctx->owner);
}

static inline unsigned char raftsh_el_interrupt_fn(EditLine *el, int ch) {
    struct raftsh_el_context *ctx = raftsh_el_context_of(el);
    if (!ctx || !ctx->interrupt) return CC_ERROR;
    return ctx->interrupt(el, ch, ctx->owner);
}

/// A context with an empty prompt; free with raftsh_el_context_free.
static inline struct raftsh_el_context *raftsh_el_context_new(raftsh_el_key_fn complete,
                                                              raftsh_el_key_fn interrupt,
                                                              void *owner) {
    struct raftsh_el_context *ctx = (struct raftsh_el_context *)calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->prompt = strdup("");
    ctx->complete = complete;
    ctx->interrupt = interrupt;
    ctx->owner = owner;
    return ctx;
}

static inline void raftsh_el_context_free(struct raftsh_el_context *ctx) {
    if (!ctx) return;
    free(ctx->prompt);
    free(ctx);
}

/// Copies `prompt` into the context; the prompt function returns it from the next redraw on.
static inline void raftsh_el_set_prompt(struct raftsh_el_context *ctx, const char *prompt) {
    char *copy = strdup(prompt ? prompt : "");
    if (!copy) return;
    free(ctx->prompt);
    ctx->prompt = copy;
}

/// el_init on the process's stdin/stdout/stderr.
static inline EditLine *raftsh_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}

/// The stdout FILE libedit draws on; output written from a key function must go through it
/// (and be flushed) so it interleaves correctly with libedit's own.
static inline FILE *raftsh_el_stdout(void) { return stdout; }

static inline int raftsh_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}
static inline int raftsh_el_set_prompt_fn(EditLine *el) {
    return el_set(el, EL_PROMPT, raftsh_el_prompt_fn);
}
static inline int raftsh_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}
static inline int raftsh_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}
static inline int raftsh_el_set_hist(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}
static inline int raftsh_el_add_complete_fn(EditLine *el, const char *name, const char *help) {
    return el_set(el, EL_ADDFN, name, help, raftsh_el_complete_fn);
}
static inline int raftsh_el_add_interrupt_fn(EditLine *el, const char *name, const char *help) {
    return el_set(el, EL_ADDFN, name, help, raftsh_el_interrupt_fn);
}
/// Raw (editing) terminal mode now, rather than after the prompt is drawn; 0: cooked again.
static inline int raftsh_el_prep_term(EditLine *el, int raw) {
    return el_set(el, EL_PREP_TERM, raw);
}
/// `bind KEY COMMAND`, e.g. ("^I", "raftsh-complete").
static inline int raftsh_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}
/// `setty -d FLAG`: a terminal mode while editing, e.g. "-isig".
static inline int raftsh_el_setty_edit(EditLine *el, const char *flag) {
    return el_set(el, EL_SETTY, "-d", flag, (const char *)NULL);
}
/// The terminal width libedit uses (its `co` capability), or 0.
static inline int raftsh_el_columns(EditLine *el) {
    int cols = 0;
    if (el_get(el, EL_GETTC, "co", &cols, (void *)NULL) != 0) return 0;
    return cols;
}

static inline int raftsh_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}
static inline int raftsh_history_setunique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}
static inline int raftsh_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}
static inline int raftsh_history_load(History *h, const char *file) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, file);
}
static inline int raftsh_history_save(History *h, const char *file) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, file);
}
/// The newest entry, or NULL when the history is empty. The string belongs to libedit.
static inline const char *raftsh_history_first(History *h) {
    HistEvent ev;
    if (history(h, &ev, H_FIRST) != 0) return NULL;
    return ev.str;
}
#endif

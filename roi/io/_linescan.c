/*
 * roi.io._linescan -- parse a block of JSON Lines against a fixed schema into Arrow buffers.
 *
 * One function, scan(block, spec), reads every line of `block` as one JSON object and extracts the
 * fields the schema names (structs, lists, UTF-8 strings, int64, booleans) into column buffers laid
 * out as Arrow arrays: validity bitmaps, int32 offsets, values. Fields the schema does not name are
 * validated and skipped.
 *
 * It is strict on purpose: it either returns exactly what pyarrow's JSON reader returns for the same
 * block and schema, or it declines (returns a str saying why) and the caller uses pyarrow. It
 * declines on anything it is not certain about: invalid JSON or UTF-8, a blank line, a value of
 * another type than the schema's (a number for a string, 1.5 or "5" for an int64, ...), a null list
 * item, a duplicated or escaped key, a lone surrogate, integers beyond int64, very deep nesting.
 *
 * The parse runs without the GIL (ingest parses two blocks at once); every read is bounds-checked
 * against the end of the current line.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { K_STRUCT = 0, K_LIST = 1, K_STRING = 2, K_INT64 = 3, K_BOOL = 4 };
#define MAX_NODES 512
#define MAX_CHILDREN 64
#define MAX_DEPTH 128

typedef struct {
    unsigned char *p;
    size_t len, cap;
} buf_t;

typedef struct {
    int kind;
    int nchild, hint; /* hint: the child whose key came after the last key matched */
    int child[MAX_CHILDREN];
    char *name;
    size_t name_len;
    int64_t length, nulls;
    buf_t valid;   /* validity bitmap, LSB first */
    buf_t offsets; /* int32 offsets: STRING, LIST */
    buf_t data;    /* STRING bytes, INT64 values, BOOL bitmap */
} node_t;

typedef struct {
    const unsigned char *p, *end;
    node_t *nodes;
    const char *why;
    buf_t key;
} ctx_t;

static inline int grow(buf_t *b, size_t extra) {
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    unsigned char *q = realloc(b->p, cap);
    if (!q) return -1;
    b->p = q;
    b->cap = cap;
    return 0;
}

static int fail(ctx_t *c, const char *why) {
    if (!c->why) c->why = why;
    return -1;
}

static inline int bit_push(ctx_t *c, buf_t *b, int64_t index, int value) {
    size_t need = (size_t)(index / 8) + 1;
    if (need > b->len) {
        if (grow(b, need - b->len)) return fail(c, "out of memory");
        while (b->len < need) b->p[b->len++] = 0;
    }
    if (value) b->p[index / 8] |= (unsigned char)(1u << (index % 8));
    return 0;
}

static inline int i32_push(ctx_t *c, buf_t *b, size_t value) {
    if (value > INT32_MAX) return fail(c, "a column over 2 GiB");
    if (grow(b, 4)) return fail(c, "out of memory");
    int32_t v = (int32_t)value;
    memcpy(b->p + b->len, &v, 4);
    b->len += 4;
    return 0;
}

static inline int i64_push(ctx_t *c, buf_t *b, int64_t v) {
    if (grow(b, 8)) return fail(c, "out of memory");
    memcpy(b->p + b->len, &v, 8);
    b->len += 8;
    return 0;
}

/* Record one element of `node`: valid (its value already appended by the caller) or null. */
static inline int finish(ctx_t *c, node_t *n, int valid) {
    if (bit_push(c, &n->valid, n->length, valid)) return -1;
    if (!valid) n->nulls++;
    n->length++;
    return 0;
}

static int append_null(ctx_t *c, int i) {
    node_t *n = &c->nodes[i];
    switch (n->kind) {
    case K_STRUCT:
        for (int k = 0; k < n->nchild; k++)
            if (append_null(c, n->child[k])) return -1;
        break;
    case K_LIST:
        if (i32_push(c, &n->offsets, (size_t)c->nodes[n->child[0]].length)) return -1;
        break;
    case K_STRING:
        if (i32_push(c, &n->offsets, n->data.len)) return -1;
        break;
    case K_INT64:
        if (i64_push(c, &n->data, 0)) return -1;
        break;
    case K_BOOL:
        if (bit_push(c, &n->data, n->length, 0)) return -1;
        break;
    }
    return finish(c, n, 0);
}

/* Skip JSON whitespace (a newline ends the line, so it never occurs before c->end). Most JSON
 * Lines writers put none between tokens: one comparison says so. */
static inline void ws(ctx_t *c) {
    while (c->p < c->end && *c->p <= ' ' && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r')) c->p++;
}

static int hexval(unsigned char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int hex4(ctx_t *c, unsigned *out) {
    if (c->end - c->p < 4) return fail(c, "a truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(c->p[k]);
        if (h < 0) return fail(c, "a bad \\u escape");
        v = v * 16 + (unsigned)h;
    }
    c->p += 4;
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence starting at p (a byte >= 0x80), or 0 if invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned char b0 = p[0];
    ptrdiff_t avail = end - p;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (b0 == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
        if (b0 == 0xED && p[1] > 0x9F) return 0;  /* surrogate */
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (b0 == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
        if (b0 == 0xF4 && p[1] > 0x8F) return 0;  /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/* The UTF-8 bytes of code point cp (at most U+10FFFF, not a surrogate) at dst; returns the end. */
static unsigned char *put_utf8(unsigned char *dst, unsigned cp) {
    if (cp < 0x80) {
        *dst++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *dst++ = (unsigned char)(0xC0 | (cp >> 6));
        *dst++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *dst++ = (unsigned char)(0xE0 | (cp >> 12));
        *dst++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *dst++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *dst++ = (unsigned char)(0xF0 | (cp >> 18));
        *dst++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *dst++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *dst++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    return dst;
}

#define ONES ((uint64_t)0x0101010101010101ULL)
#define HIGHS ((uint64_t)0x8080808080808080ULL)

/* The first byte at or after p that needs attention in a string: anything but printable ASCII other
 * than '"' and '\\'. Eight bytes at a time (SWAR): the lowest flagged byte of a word is always a true
 * one (the subtraction's borrow only runs upwards), so its position ends the run. */
static inline uint64_t attention(uint64_t x) {
    uint64_t quote = x ^ (ONES * '"'), slash = x ^ (ONES * '\\');
    return (((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) | ((slash - ONES) & ~slash) | x) & HIGHS;
}

static inline int plain(unsigned char ch) { return ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\'; }

static inline const unsigned char *plain_run(const unsigned char *p, const unsigned char *end) {
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t flags = attention(x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (flags) return p + (__builtin_ctzll(flags) >> 3);
#else
        if (flags) break;
#endif
        p += 8;
    }
    while (p < end && plain(*p)) p++;
    return p;
}

/* plain_run that also copies the run to *dst (which has room for the rest of the line plus 8). */
static inline const unsigned char *plain_copy(const unsigned char *p, const unsigned char *end, unsigned char **dst) {
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t flags = attention(x);
        memcpy(*dst, &x, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (flags) {
            int k = __builtin_ctzll(flags) >> 3;
            *dst += k;
            return p + k;
        }
#else
        if (flags) break;
#endif
        *dst += 8;
        p += 8;
    }
    while (p < end && plain(*p)) *(*dst)++ = *p++;
    return p;
}

/* A JSON string at c->p (which is '"'): its unescaped UTF-8 appended to `out` (NULL: only checked).
 * The decoded string is never longer than its JSON text, so room for the rest of the line (plus the
 * 8 bytes a word copy may write past the end) is made once, then bytes are stored directly. */
static int string(ctx_t *c, buf_t *out) {
    const unsigned char *p = c->p + 1, *end = c->end;
    unsigned char *dst = NULL;
    if (out) {
        if (grow(out, (size_t)(end - p) + 8)) return fail(c, "out of memory");
        dst = out->p + out->len;
    }
    for (;;) {
        p = out ? plain_copy(p, end, &dst) : plain_run(p, end);
        if (p >= end) return fail(c, "an unterminated string");
        unsigned char ch = *p;
        if (ch == '"') {
            if (out) out->len = (size_t)(dst - out->p);
            c->p = p + 1;
            return 0;
        }
        if (ch < 0x20) return fail(c, "a control character in a string");
        if (ch >= 0x80) {
            int k = utf8_len(p, end);
            if (!k) return fail(c, "invalid UTF-8");
            if (out) {
                memcpy(dst, p, (size_t)k);
                dst += k;
            }
            p += k;
            continue;
        }
        /* a backslash */
        if (p + 1 >= end) return fail(c, "an unterminated string");
        unsigned char e = p[1];
        p += 2;
        unsigned cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            c->p = p;
            if (hex4(c, &cp)) return -1;
            p = c->p;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(c, "a lone surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return fail(c, "a lone surrogate");
                c->p = p + 2;
                if (hex4(c, &lo)) return -1;
                p = c->p;
                if (lo < 0xDC00 || lo > 0xDFFF) return fail(c, "a lone surrogate");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        }
        default:
            return fail(c, "a bad escape");
        }
        if (dst) dst = put_utf8(dst, cp);
    }
}

static int literal(ctx_t *c, const char *word, size_t n) {
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return fail(c, "invalid JSON");
    c->p += n;
    return 0;
}

static int is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }

/* Any JSON number (checked, not converted); conservative: declines very long ones. */
static int number(ctx_t *c) {
    const unsigned char *p = c->p, *end = c->end, *start = c->p;
    if (p < end && *p == '-') p++;
    if (p >= end || !is_digit(*p)) return fail(c, "invalid JSON");
    if (*p == '0') p++;
    else while (p < end && is_digit(*p)) p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p)) return fail(c, "invalid JSON");
        while (p < end && is_digit(*p)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        const unsigned char *digits = p;
        if (p >= end || !is_digit(*p)) return fail(c, "invalid JSON");
        while (p < end && is_digit(*p)) p++;
        if (p - digits > 3) return fail(c, "an exponent beyond 999");
    }
    if (p - start > 40) return fail(c, "a number over 40 characters");
    c->p = p;
    return 0;
}

static int skip(ctx_t *c, int depth);

static int skip_container(ctx_t *c, int depth, unsigned char close) {
    if (depth > MAX_DEPTH) return fail(c, "nesting deeper than 128");
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            ws(c);
            if (c->p >= c->end || *c->p != '"') return fail(c, "invalid JSON");
            if (string(c, NULL)) return -1;
            ws(c);
            if (c->p >= c->end || *c->p != ':') return fail(c, "invalid JSON");
            c->p++;
        }
        ws(c);
        if (skip(c, depth + 1)) return -1;
        ws(c);
        if (c->p >= c->end) return fail(c, "invalid JSON");
        if (*c->p == ',') { c->p++; continue; }
        if (*c->p == close) { c->p++; return 0; }
        return fail(c, "invalid JSON");
    }
}

static int skip(ctx_t *c, int depth) {
    if (c->p >= c->end) return fail(c, "invalid JSON");
    switch (*c->p) {
    case '{': return skip_container(c, depth, '}');
    case '[': return skip_container(c, depth, ']');
    case '"': return string(c, NULL);
    case 't': return literal(c, "true", 4);
    case 'f': return literal(c, "false", 5);
    case 'n': return literal(c, "null", 4);
    default: return number(c);
    }
}

static int value(ctx_t *c, int i, int depth);

/* Whether the n bytes at a are the name b: compared inline, a word at a time (keys are short; a
 * call to memcmp per key cost more than the comparison). */
static inline int same_name(const unsigned char *a, const char *b, size_t n) {
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
    }
    for (; n; a++, b++, n--)
        if (*a != (unsigned char)*b) return 0;
    return 1;
}

static int object(ctx_t *c, int i, int depth) {
    node_t *n = &c->nodes[i];
    uint64_t seen = 0;
    if (depth > MAX_DEPTH) return fail(c, "nesting deeper than 128");
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
    } else {
        for (;;) {
            ws(c);
            if (c->p >= c->end || *c->p != '"') return fail(c, "invalid JSON");
            /* A plain key is compared where it lies; any other is decoded (and never matched). */
            const unsigned char *key = c->p + 1, *q = plain_run(key, c->end);
            size_t key_len;
            int escaped = 0;
            if (q < c->end && *q == '"') {
                key_len = (size_t)(q - key);
                c->p = q + 1;
            } else {
                c->key.len = 0;
                if (string(c, &c->key)) return -1;
                key = c->key.p;
                key_len = c->key.len;
                escaped = 1;
            }
            ws(c);
            if (c->p >= c->end || *c->p != ':') return fail(c, "invalid JSON");
            c->p++;
            ws(c);
            /* Objects from one producer list their keys in one order: try the key after the last
             * one matched first, then all of them. */
            int k = n->hint;
            node_t *guess = k < n->nchild ? &c->nodes[n->child[k]] : NULL;
            if (!guess || guess->name_len != key_len || !same_name(key, guess->name, key_len)) {
                for (k = 0; k < n->nchild; k++) {
                    node_t *ch = &c->nodes[n->child[k]];
                    if (ch->name_len == key_len && same_name(key, ch->name, key_len)) break;
                }
            }
            if (k < n->nchild) {
                n->hint = k + 1;
                if (escaped) return fail(c, "an escaped key");
                if (seen & ((uint64_t)1 << k)) return fail(c, "a duplicated key");
                seen |= (uint64_t)1 << k;
                if (value(c, n->child[k], depth + 1)) return -1;
            } else if (skip(c, depth + 1)) {
                return -1;
            }
            ws(c);
            if (c->p >= c->end) return fail(c, "invalid JSON");
            if (*c->p == ',') { c->p++; continue; }
            if (*c->p == '}') { c->p++; break; }
            return fail(c, "invalid JSON");
        }
    }
    for (int k = 0; k < n->nchild; k++)
        if (!(seen & ((uint64_t)1 << k)) && append_null(c, n->child[k])) return -1;
    return finish(c, n, 1);
}

static int int64(ctx_t *c, node_t *n) {
    const unsigned char *p = c->p, *end = c->end;
    int neg = 0;
    if (p < end && *p == '-') { neg = 1; p++; }
    if (p >= end || !is_digit(*p)) return fail(c, "a value that is not an int64");
    const unsigned char *digits = p;
    if (*p == '0') p++;
    else while (p < end && is_digit(*p)) p++;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return fail(c, "a non-integer number for an int64");
    if (p - digits > 18) return fail(c, "an integer with more than 18 digits");
    int64_t v = 0;
    for (const unsigned char *q = digits; q < p; q++) v = v * 10 + (*q - '0');
    c->p = p;
    if (i64_push(c, &n->data, neg ? -v : v)) return -1;
    return finish(c, n, 1);
}

static int value(ctx_t *c, int i, int depth) {
    node_t *n = &c->nodes[i];
    if (c->p >= c->end) return fail(c, "invalid JSON");
    unsigned char ch = *c->p;
    if (ch == 'n') {
        if (literal(c, "null", 4)) return -1;
        return append_null(c, i);
    }
    switch (n->kind) {
    case K_STRUCT:
        if (ch != '{') return fail(c, "a value that is not an object");
        return object(c, i, depth);
    case K_LIST: {
        if (ch != '[') return fail(c, "a value that is not a list");
        if (depth > MAX_DEPTH) return fail(c, "nesting deeper than 128");
        int item = n->child[0];
        c->p++;
        ws(c);
        if (c->p < c->end && *c->p == ']') {
            c->p++;
        } else {
            for (;;) {
                ws(c);
                if (c->p < c->end && *c->p == 'n') return fail(c, "a null list item");
                if (value(c, item, depth + 1)) return -1;
                ws(c);
                if (c->p >= c->end) return fail(c, "invalid JSON");
                if (*c->p == ',') { c->p++; continue; }
                if (*c->p == ']') { c->p++; break; }
                return fail(c, "invalid JSON");
            }
        }
        if (i32_push(c, &n->offsets, (size_t)c->nodes[item].length)) return -1;
        return finish(c, n, 1);
    }
    case K_STRING:
        if (ch != '"') return fail(c, "a value that is not a string");
        if (string(c, &n->data)) return -1;
        if (i32_push(c, &n->offsets, n->data.len)) return -1;
        return finish(c, n, 1);
    case K_INT64:
        return int64(c, n);
    case K_BOOL:
        if (ch == 't') {
            if (literal(c, "true", 4) || bit_push(c, &n->data, n->length, 1)) return -1;
        } else if (ch == 'f') {
            if (literal(c, "false", 5) || bit_push(c, &n->data, n->length, 0)) return -1;
        } else {
            return fail(c, "a value that is not a boolean");
        }
        return finish(c, n, 1);
    }
    return fail(c, "an unknown schema node");
}

static void free_nodes(node_t *nodes, int count) {
    for (int i = 0; i < count; i++) {
        free(nodes[i].valid.p);
        free(nodes[i].offsets.p);
        free(nodes[i].data.p);
        free(nodes[i].name);
    }
    free(nodes);
}

/* Parse every line of the block; 0 and *rows on success, -1 with c->why on a decline. */
static int scan_lines(ctx_t *c, const unsigned char *block, size_t size, int64_t *rows) {
    const unsigned char *p = block, *stop = block + size;
    int64_t n = 0;
    while (p < stop) {
        const unsigned char *eol = memchr(p, '\n', (size_t)(stop - p));
        const unsigned char *end = eol ? eol : stop;
        c->p = p;
        c->end = end;
        ws(c);
        if (c->p >= end) return fail(c, "a blank line");
        if (*c->p != '{') return fail(c, "a line that is not an object");
        if (object(c, 0, 0)) return -1;
        ws(c);
        if (c->p != end) return fail(c, "text after the object");
        n++;
        p = eol ? eol + 1 : stop;
    }
    *rows = n;
    return 0;
}

/* A column buffer handed to Python without a copy: it owns the memory the scan filled and exposes
 * it read-only through the buffer protocol (pyarrow.py_buffer wraps it and keeps it alive). */
typedef struct {
    PyObject_HEAD
    unsigned char *p;
    Py_ssize_t len;
} BufferObject;

static int buffer_get(PyObject *self, Py_buffer *view, int flags) {
    BufferObject *b = (BufferObject *)self;
    return PyBuffer_FillInfo(view, self, b->p ? (void *)b->p : (void *)"", b->len, 1, flags);
}

static void buffer_dealloc(PyObject *self) {
    free(((BufferObject *)self)->p);
    Py_TYPE(self)->tp_free(self);
}

static PyBufferProcs buffer_procs = {buffer_get, NULL};

static PyTypeObject BufferType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "roi.io._linescan.Buffer",
    .tp_basicsize = sizeof(BufferObject),
    .tp_dealloc = buffer_dealloc,
    .tp_as_buffer = &buffer_procs,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Read-only bytes of one column buffer, owned without a copy.",
};

/* The first `len` bytes of `b` as a Buffer, which takes the memory over (b is left empty). */
static PyObject *as_bytes(buf_t *b, size_t len) {
    BufferObject *out = PyObject_New(BufferObject, &BufferType);
    if (!out) return NULL;
    out->p = b->p;
    out->len = (Py_ssize_t)len;
    b->p = NULL;
    b->len = b->cap = 0;
    return (PyObject *)out;
}

PyDoc_STRVAR(scan_doc,
"scan(block, spec) -> list | str\n\n"
"Parse the JSON object on each line of ``block`` against ``spec``: a list of ``(kind, parent, name)``\n"
"nodes in pre-order (kind 0 struct, 1 list, 2 string, 3 int64, 4 bool; node 0 is the line's object,\n"
"a list has one child). Returns per node ``(length, null_count, validity, offsets, data)`` as read-only\n"
"buffers, not copied (offsets and data None where the kind has none), or a str saying why the block\n"
"was declined.");

static PyObject *scan(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer view;
    PyObject *spec;
    if (!PyArg_ParseTuple(args, "y*O!", &view, &PyList_Type, &spec)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(spec);
    if (count < 1 || count > MAX_NODES) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "spec: expected 1 to 512 nodes");
        return NULL;
    }
    node_t *nodes = calloc((size_t)count, sizeof(node_t));
    if (!nodes) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        int kind, parent;
        const char *name;
        Py_ssize_t name_len;
        PyObject *item = PyList_GET_ITEM(spec, i);
        if (!PyTuple_Check(item) || !PyArg_ParseTuple(item, "iiy#", &kind, &parent, &name, &name_len) ||
            kind < K_STRUCT || kind > K_BOOL || (i == 0 ? kind != K_STRUCT : (parent < 0 || parent >= i))) {
            free_nodes(nodes, (int)count);
            PyBuffer_Release(&view);
            if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "spec: bad node %zd", i);
            return NULL;
        }
        nodes[i].kind = kind;
        nodes[i].name = malloc((size_t)name_len + 1);
        if (!nodes[i].name) {
            free_nodes(nodes, (int)count);
            PyBuffer_Release(&view);
            return PyErr_NoMemory();
        }
        memcpy(nodes[i].name, name, (size_t)name_len);
        nodes[i].name_len = (size_t)name_len;
        if (i > 0) {
            node_t *up = &nodes[parent];
            int limit = up->kind == K_LIST ? 1 : (up->kind == K_STRUCT ? MAX_CHILDREN : 0);
            if (up->nchild >= limit) {
                free_nodes(nodes, (int)count);
                PyBuffer_Release(&view);
                PyErr_Format(PyExc_ValueError, "spec: node %zd cannot have another child", (Py_ssize_t)parent);
                return NULL;
            }
            up->child[up->nchild++] = (int)i;
        }
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (nodes[i].kind == K_LIST && nodes[i].nchild != 1) {
            free_nodes(nodes, (int)count);
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_ValueError, "spec: a list without its item");
            return NULL;
        }
    }

    ctx_t c = {0};
    c.nodes = nodes;
    int64_t rows = 0;
    int status = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count && !status; i++)
        if (nodes[i].kind == K_LIST || nodes[i].kind == K_STRING)
            status = i32_push(&c, &nodes[i].offsets, 0);
    if (!status) status = scan_lines(&c, (const unsigned char *)view.buf, (size_t)view.len, &rows);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    free(c.key.p);

    PyObject *result;
    if (status) {
        result = PyUnicode_FromString(c.why ? c.why : "declined");
    } else {
        result = PyList_New(count);
        for (Py_ssize_t i = 0; result && i < count; i++) {
            node_t *n = &nodes[i];
            size_t bits = (size_t)(n->length + 7) / 8;
            PyObject *offsets = Py_None, *data = Py_None;
            Py_INCREF(Py_None);
            Py_INCREF(Py_None);
            if (n->kind == K_LIST || n->kind == K_STRING) {
                Py_DECREF(offsets);
                offsets = as_bytes(&n->offsets, n->offsets.len);
            }
            if (n->kind == K_STRING || n->kind == K_INT64) {
                Py_DECREF(data);
                data = as_bytes(&n->data, n->data.len);
            } else if (n->kind == K_BOOL) {
                Py_DECREF(data);
                data = as_bytes(&n->data, bits);
            }
            PyObject *valid = as_bytes(&n->valid, bits);
            PyObject *entry = NULL;
            if (valid && offsets && data)
                /* "N" hands over all three references, on failure too (CPython decrefs the N
                 * arguments it could not place), so they must not be released again here. */
                entry = Py_BuildValue("(LLNNN)", (long long)n->length, (long long)n->nulls,
                                      valid, offsets, data);
            else {
                Py_XDECREF(valid);
                Py_XDECREF(offsets);
                Py_XDECREF(data);
            }
            if (!entry) {
                Py_CLEAR(result);
                break;
            }
            PyList_SET_ITEM(result, i, entry);
        }
    }
    free_nodes(nodes, (int)count);
    return result;
}

/* A 64-bit hash of every string of an Arrow string array, read in place from its int32 offsets
 * and data buffers: eight bytes at a time, each word folded in by a multiply and a shift, then a
 * final avalanche (splitmix64's). Equal strings get equal hashes; that is all its one use --
 * spreading keys over ingest's spill buckets -- needs. Every offset is checked against the data. */
static inline uint64_t mix64(uint64_t h) {
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    return h ^ (h >> 31);
}

static uint64_t hash_bytes(const unsigned char *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)n * 0xFF51AFD7ED558CCDULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, n);
        h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
        h ^= h >> 29;
    }
    return mix64(h);
}

PyDoc_STRVAR(hash_strings_doc,
"hash_strings(offsets, data, first, count) -> Buffer\n\n"
"A uint64 hash (native byte order) of strings ``first`` to ``first + count - 1`` of an Arrow string\n"
"array given by its int32 ``offsets`` and ``data`` buffers. Raises ValueError on offsets that do not\n"
"fit the buffers.");

static PyObject *hash_strings(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer offsets, data;
    Py_ssize_t first, count;
    if (!PyArg_ParseTuple(args, "y*y*nn", &offsets, &data, &first, &count)) return NULL;
    const char *bad = NULL;
    if (first < 0 || count < 0 || (size_t)offsets.len / 4 < (size_t)first + (size_t)count + 1)
        bad = "hash_strings: the offsets buffer is shorter than first + count + 1 offsets";
    buf_t out = {0};
    if (!bad && count && grow(&out, (size_t)count * 8)) {
        PyBuffer_Release(&offsets);
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    if (!bad) {
        Py_BEGIN_ALLOW_THREADS
        const unsigned char *o = (const unsigned char *)offsets.buf + (size_t)first * 4;
        const unsigned char *d = (const unsigned char *)data.buf;
        int32_t lo, hi;
        memcpy(&lo, o, 4);
        for (Py_ssize_t i = 0; i < count; i++) {
            memcpy(&hi, o + 4 * (size_t)(i + 1), 4);
            if (lo < 0 || hi < lo || (Py_ssize_t)hi > data.len) {
                bad = "hash_strings: an offset outside the data buffer";
                break;
            }
            uint64_t h = hash_bytes(d + lo, (size_t)(hi - lo));
            memcpy(out.p + 8 * (size_t)i, &h, 8);
            lo = hi;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&data);
    if (bad) {
        free(out.p);
        PyErr_SetString(PyExc_ValueError, bad);
        return NULL;
    }
    PyObject *result = as_bytes(&out, (size_t)count * 8);
    if (!result) free(out.p);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, scan_doc},
    {"hash_strings", hash_strings, METH_VARARGS, hash_strings_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_linescan",
    "Parse JSON Lines against a fixed schema into Arrow buffers (see roi.io._json_lines).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__linescan(void) {
    if (PyType_Ready(&BufferType) < 0) return NULL;
    return PyModule_Create(&module);
}

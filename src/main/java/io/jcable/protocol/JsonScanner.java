package io.jcable.protocol;

import java.util.Arrays;

/**
 * Checks in one pass, without allocating per token, that a range of text is exactly one RFC 8259 JSON value
 * that can be embedded in a frame as is: no raw control characters inside strings and no unpaired surrogate
 * anywhere (it could not be encoded as UTF-8). Gson's {@code skipValue} checks neither. Nesting is tracked in a
 * bit stack, not by recursion, so deep input cannot overflow the thread's stack.
 */
final class JsonScanner {
    private static final int FAILED = 0;
    private static final int COMPLETE = 1;
    private static final int OPENED = 2;

    private final String text;
    private final int end;
    private int pos;
    /** One bit per open container, 1 = object; grows on demand. */
    private long[] containers = new long[1];
    private int depth;

    private JsonScanner(String text, int start, int end) {
        this.text = text;
        this.pos = start;
        this.end = end;
    }

    /** Whether {@code text[start, end)} is one JSON value, optionally surrounded by JSON whitespace. */
    static boolean isValue(String text, int start, int end) {
        return new JsonScanner(text, start, end).scan();
    }

    /** Index of the first character at or after {@code from} that is not JSON whitespace. */
    static int skipWhitespace(String text, int from, int end) {
        int i = from;
        while (i < end && isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Index just after the last character before {@code end} that is not JSON whitespace. */
    static int trimEnd(String text, int start, int end) {
        int i = end;
        while (i > start && isWhitespace(text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private boolean scan() {
        while (true) {
            int read = value();
            if (read == FAILED) {
                return false;
            }
            if (read == OPENED) {
                continue;
            }
            // After a complete value: close containers or move on to the next element.
            while (true) {
                pos = skipWhitespace(text, pos, end);
                if (depth == 0) {
                    return pos == end;
                }
                if (pos == end) {
                    return false;
                }
                char c = text.charAt(pos++);
                boolean inObject = inObject();
                if (c == ',') {
                    if (inObject && !key()) {
                        return false;
                    }
                    break;
                }
                if (c != (inObject ? '}' : ']')) {
                    return false;
                }
                depth--;
            }
        }
    }

    /**
     * Reads one value, or only the opening of a non-empty container (pushed, with the first key read for an
     * object) so that the caller's loop reads its elements without recursion.
     */
    private int value() {
        pos = skipWhitespace(text, pos, end);
        if (pos == end) {
            return FAILED;
        }
        char c = text.charAt(pos++);
        if (c == '{' || c == '[') {
            char close = c == '{' ? '}' : ']';
            pos = skipWhitespace(text, pos, end);
            if (pos < end && text.charAt(pos) == close) {
                pos++;
                return COMPLETE;
            }
            push(c == '{');
            return c == '[' || key() ? OPENED : FAILED;
        }
        boolean ok = switch (c) {
            case '"' -> string();
            case 't' -> literal("rue");
            case 'f' -> literal("alse");
            case 'n' -> literal("ull");
            default -> {
                pos--;
                yield number();
            }
        };
        return ok ? COMPLETE : FAILED;
    }

    /** {@code "name" :} of an object member. */
    private boolean key() {
        pos = skipWhitespace(text, pos, end);
        if (pos == end || text.charAt(pos++) != '"' || !string()) {
            return false;
        }
        pos = skipWhitespace(text, pos, end);
        return pos < end && text.charAt(pos++) == ':';
    }

    /** The rest of a string after its opening quote. */
    private boolean string() {
        while (pos < end) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return true;
            }
            if (c == '\\') {
                if (!escape()) {
                    return false;
                }
            } else if (c < 0x20) {
                return false;
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || pos == end || !Character.isLowSurrogate(text.charAt(pos))) {
                    return false;
                }
                pos++;
            }
        }
        return false;
    }

    private boolean escape() {
        if (pos == end) {
            return false;
        }
        switch (text.charAt(pos++)) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return true;
            }
            case 'u' -> {
                if (end - pos < 4) {
                    return false;
                }
                for (int i = 0; i < 4; i++) {
                    if (Character.digit(text.charAt(pos++), 16) < 0) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private boolean literal(String rest) {
        if (!text.startsWith(rest, pos) || pos + rest.length() > end) {
            return false;
        }
        pos += rest.length();
        return true;
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?} */
    private boolean number() {
        if (pos < end && text.charAt(pos) == '-') {
            pos++;
        }
        if (pos < end && text.charAt(pos) == '0') {
            pos++;
        } else if (digits() == 0) {
            return false;
        }
        if (pos < end && text.charAt(pos) == '.') {
            pos++;
            if (digits() == 0) {
                return false;
            }
        }
        if (pos < end && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < end && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            return digits() > 0;
        }
        return true;
    }

    private int digits() {
        int start = pos;
        while (pos < end && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos - start;
    }

    private void push(boolean object) {
        int word = depth >>> 6;
        if (word == containers.length) {
            containers = Arrays.copyOf(containers, word * 2);
        }
        long bit = 1L << (depth & 63);
        containers[word] = object ? containers[word] | bit : containers[word] & ~bit;
        depth++;
    }

    private boolean inObject() {
        int top = depth - 1;
        return (containers[top >>> 6] & (1L << (top & 63))) != 0;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}

package io.jcable.web;

/**
 * Joins the parts of one text message at a time, under a limit in UTF-8 bytes ({@code ANYCABLE_MAX_MESSAGE_SIZE}).
 * Taking messages in parts lets containers that allocate their message buffer per socket at its full size
 * (Tomcat) keep it small; a message in one part, the rule for commands, is passed on without a copy.
 */
final class MessageAssembler {
    /** A message went over the limit; the rest of it is ignored. */
    static final class TooBig extends RuntimeException {
        TooBig(long bytes, int limit) {
            super("message of at least " + bytes + " bytes, over the limit of " + limit, null, false, false);
        }
    }

    private final int maxBytes;
    private StringBuilder pending;
    private long pendingBytes;
    private boolean discarding;

    MessageAssembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Adds the next part; returns the whole message when {@code last}, else null.
     *
     * @throws TooBig once, for the part that takes the message over the limit
     */
    String add(String part, boolean last) {
        if (discarding) {
            discarding = !last;
            return null;
        }
        long bytes = pendingBytes + utf8Length(part);
        if (bytes > maxBytes) {
            pending = null;
            pendingBytes = 0;
            discarding = !last;
            throw new TooBig(bytes, maxBytes);
        }
        if (last && pending == null) {
            return part;
        }
        if (pending == null) {
            pending = new StringBuilder(Math.max(64, part.length() * 2));
        }
        pending.append(part);
        pendingBytes = bytes;
        if (!last) {
            return null;
        }
        String message = pending.toString();
        pending = null;
        pendingBytes = 0;
        return message;
    }

    /** Length of {@code text} in UTF-8 (unpaired surrogates count as the 3-byte replacement character). */
    static long utf8Length(String text) {
        long bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2;
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }
}

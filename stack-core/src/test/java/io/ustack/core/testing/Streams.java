package io.ustack.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Stream helpers for tests that talk through sockets. */
public final class Streams {
    private Streams() {
    }

    /** Everything the stream gives until end of stream. */
    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            bos.write(buf, 0, n);
        }
        return bos.toByteArray();
    }
}

package io.ustack.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import org.junit.jupiter.api.AfterEach;

/** The base of byte-literal tests: a pool, known bytes put into its buffers, and the leak check after each test. */
public abstract class PooledBufferTest {
    protected final BufferPool pool = new BufferPool();

    @AfterEach
    void noLeaks() {
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    /** A buffer holding {@code bytes} from data to tail, with tailroom to spare for tests that grow it. */
    protected PacketBuffer buffer(byte[] bytes) {
        PacketBuffer b = pool.allocate(bytes.length + 64);
        b.copyIn(b.put(bytes.length), bytes, 0, bytes.length);
        return b;
    }
}

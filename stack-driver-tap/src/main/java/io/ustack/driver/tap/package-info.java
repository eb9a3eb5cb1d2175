/**
 * The TAP driver: a Linux TAP device as an ustack {@link io.ustack.core.link.NetDevice}.
 *
 * <p>{@link io.ustack.driver.tap.Tap} says whether it can work here; {@link io.ustack.driver.tap.TapDevice}
 * opens a TAP described by a {@link io.ustack.driver.tap.TapConfig}; failures are a
 * {@link io.ustack.driver.tap.TapException} whose message is one sentence for the user. Control calls (open,
 * TUNSETIFF, SIOCSIF*) go through JNA; per-frame reads and writes through Netty's JNI
 * {@code FileDescriptor}, driven by its epoll event loop.
 */
package io.ustack.driver.tap;

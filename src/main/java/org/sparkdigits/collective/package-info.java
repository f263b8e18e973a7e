/**
 * The collective engine's transport, plain JDK (no Spark): one authenticated TCP connection per pair of a barrier
 * stage's tasks (Spark's secret, mutual HMAC-SHA256, AES-GCM when Spark encrypts), every wait bounded, and the
 * reduce-scatter and all-gather of the steps over it.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.collective;

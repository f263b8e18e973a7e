/**
 * Distortions of digits (affine and elastic, a pure function of seed, row and copy), stored by {@code augment} or
 * made fresh inside the gradient tasks ({@code --augment-on-the-fly}).
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.augment;

/**
 * Trained models on any Hadoop file system: the weights (safetensors), model.json, atomic model directories (object
 * stores by manifest), and the ONNX export.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.model;

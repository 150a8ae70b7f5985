package io.vitrine.core.encoder;

/** An encoder model cannot be used: unreadable, not ONNX, or not following the encoder contract. */
public final class EncoderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EncoderException(String message) {
        super(message);
    }

    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.switchboard.gateway.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Parses PEM text into keys without third-party providers. Stateless and thread-safe. */
public final class PemKeys {
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PemKeys() {
    }

    /**
     * Parses an X.509 SubjectPublicKeyInfo PEM block ({@code -----BEGIN PUBLIC KEY-----}) holding an RSA key.
     *
     * @throws IllegalArgumentException when the text is not such a block
     */
    public static RSAPublicKey rsaPublicKey(String pem) {
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no '" + BEGIN + "' block");
        }
        String base64 = pem.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an RSA public key: " + e.getMessage(), e);
        }
    }
}

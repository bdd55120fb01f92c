package dev.ssekit.protocol;

/** The WHATWG Encoding standard's UTF-8 decoder: one U+FFFD per maximal malformed subpart. */
final class Utf8 {
  private Utf8() {}

  /** Decodes {@code length} bytes of {@code bytes} from {@code offset}, replacing malformed input. */
  static String decode(byte[] bytes, int offset, int length) {
    StringBuilder out = new StringBuilder(length);
    int codePoint = 0;
    int seen = 0;
    int needed = 0;
    int lower = 0x80;
    int upper = 0xBF;
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int b = bytes[i] & 0xFF;
      if (needed == 0) {
        i++;
        if (b <= 0x7F) {
          out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
          needed = 1;
          codePoint = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
          if (b == 0xE0) lower = 0xA0;
          if (b == 0xED) upper = 0x9F;
          needed = 2;
          codePoint = b & 0xF;
        } else if (b >= 0xF0 && b <= 0xF4) {
          if (b == 0xF0) lower = 0x90;
          if (b == 0xF4) upper = 0x8F;
          needed = 3;
          codePoint = b & 0x7;
        } else {
          out.append('\uFFFD');
        }
      } else if (b < lower || b > upper) {
        // The sequence so far is one error; this byte is looked at again as a possible start.
        codePoint = 0;
        needed = 0;
        seen = 0;
        lower = 0x80;
        upper = 0xBF;
        out.append('\uFFFD');
      } else {
        i++;
        lower = 0x80;
        upper = 0xBF;
        codePoint = (codePoint << 6) | (b & 0x3F);
        if (++seen == needed) {
          out.appendCodePoint(codePoint);
          codePoint = 0;
          needed = 0;
          seen = 0;
        }
      }
    }
    if (needed != 0) out.append('\uFFFD');
    return out.toString();
  }

  /**
   * Returns whether {@code decoded}, the result of {@link #decode} on those bytes, holds a U+FFFD
   * that replaced malformed input rather than one the bytes spelled out (EF BF BD).
   */
  static boolean replaced(String decoded, byte[] bytes, int offset, int length) {
    int inDecoded = 0;
    for (int i = 0; i < decoded.length(); i++) {
      if (decoded.charAt(i) == '\uFFFD') inDecoded++;
    }
    int inBytes = 0;
    for (int i = offset; i + 2 < offset + length; i++) {
      if (bytes[i] == (byte) 0xEF && bytes[i + 1] == (byte) 0xBF && bytes[i + 2] == (byte) 0xBD) inBytes++;
    }
    return inDecoded > inBytes;
  }
}

package dev.ssekit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Text decoding follows the WHATWG Encoding standard's UTF-8 decoder: one U+FFFD per maximal
 * malformed subpart (Unicode table 3-8). The JDK's own decoder differs on some of these (an
 * encoded surrogate is one U+FFFD there, three here), which is why the decoder checks.
 */
class Utf8ConformanceTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    // bytes (hex)                 | expected, with ? standing for U+FFFD
    "61F18080E180C262806380BF64    | a???b?c??d", // Unicode table 3-8
    "EDA080                        | ???", // encoded surrogate
    "EDBFBF                        | ???",
    "C0AF                          | ??", // overlong
    "E08080                        | ???",
    "F0808080                      | ????",
    "F4908080                      | ????", // above U+10FFFF
    "F888808080                    | ?????",
    "FF41FE                        | ?A?",
    "E282                          | ?", // truncated at the end
    "F09F8E                        | ?",
    "E28241                        | ?A",
    "C2                            | ?",
    "80BF                          | ??",
    "EFBFBD                        | ?", // a real U+FFFD stays one
    "E282AC                        | €",
    "F09F8E89                      | 🎉",
    "F4808080                      | \uDBC0\uDC00",
  })
  void malformedSubpartsAreReplacedOneEach(String hex, String expected) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    assertEquals(expected.replace('?', '\uFFFD'), Recorder.decode(frame(bytes)).events.get(0).data());
    assertEquals(expected.replace('?', '\uFFFD'), Utf8.decode(bytes, 0, bytes.length));
  }

  @Test
  void wellFormedTextOfEveryPlaneRoundTrips() {
    Random random = new Random(7);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(6); i >= 0; i--) {
        int cp;
        do {
          cp = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(0x80);
            case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
            case 2 -> 0x800 + random.nextInt(0x10000 - 0x800);
            default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
          };
        } while (Character.isSurrogate((char) cp) && cp < 0x10000 || cp == '\n' || cp == '\r');
        text.appendCodePoint(cp);
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      assertEquals(text.toString(), Recorder.decode(frame(bytes)).events.get(0).data());
      assertEquals(text.toString(), Utf8.decode(bytes, 0, bytes.length));
    }
  }

  /** Wraps raw bytes (no CR or LF among them) as the data of one event. */
  private static byte[] frame(byte[] data) {
    byte[] prefix = "data: ".getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[prefix.length + data.length + 2];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(data, 0, out, prefix.length, data.length);
    out[out.length - 2] = '\n';
    out[out.length - 1] = '\n';
    return out;
  }
}

package dev.herald.audiences;

import static dev.herald.audiences.SubscriberFileReader.MAX_COLUMNS;

import com.fasterxml.aalto.stax.InputFactoryImpl;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Checks a workbook before fastexcel-reader parses it. fastexcel-reader unpacks parts without a limit and builds each
 * row whole, one cell per column up to the last cell's reference: a 287 KB workbook whose first row held ten million
 * cells took the JVM's whole heap. So, before it parses anything, every part's unpacked size and packing ratio are
 * checked, then every part is read once with the same streaming XML parser fastexcel-reader uses, holding nothing but
 * counters: a row past {@link SubscriberFileReader#MAX_COLUMNS} columns (counted, or by a cell's reference) or a sheet
 * past {@link #MAX_ROWS} rows stops the reading there. Reading every part rather than finding the first sheet keeps the
 * guard from disagreeing with fastexcel-reader about which part that is; other parts hold no rows and cost one pass.
 */
final class SubscriberFileXlsxGuard {
  /** Excel's own limit: more rows than a spreadsheet can hold is not a spreadsheet someone saved. */
  static final int MAX_ROWS = 1_048_576;
  /** All parts unpacked together; a million subscribers with a few columns unpack to about 300 MB. */
  static final long MAX_UNPACKED_BYTES = 1L << 30;
  /** Spreadsheet XML packs 5 to 20 times; a part packed tighter than this is a ZIP bomb, not subscriber data. */
  static final int MAX_PACKING_RATIO = 100;
  /** Small parts (styles, themes) are all repetition and pack tightly without harm. */
  private static final long RATIO_CHECKED_FROM = 1 << 20;

  private static final XMLInputFactory XML = new InputFactoryImpl();

  static {
    XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
  }

  private SubscriberFileXlsxGuard() {}

  /**
   * @throws SubscriberFileException the workbook is past a limit, naming it and the row where it was passed
   * @throws IOException the file is not a ZIP that can be read (the caller says the workbook cannot be read)
   */
  static void check(Path file) throws IOException {
    try (ZipFile zip = ZipFile.builder().setFile(file.toFile()).get()) {
      List<ZipArchiveEntry> parts = Collections.list(zip.getEntries());
      long declared = 0;
      for (ZipArchiveEntry part : parts) {
        if (part.getSize() < 0) continue; // unknown here; the reading below counts it
        declared += part.getSize();
        if (declared > MAX_UNPACKED_BYTES) throw tooLarge();
        checkRatio(part.getSize(), part.getCompressedSize());
      }
      // The sizes in a ZIP's directory are what its writer claims; what comes out of the inflater is counted too.
      long[] unpacked = {0};
      for (ZipArchiveEntry part : parts) {
        try (InputStream in = new Counted(zip.getInputStream(part), part, unpacked)) {
          scan(in);
        }
      }
    }
  }

  private static void checkRatio(long size, long compressed) {
    if (size > RATIO_CHECKED_FROM && size > Math.max(compressed, 1) * MAX_PACKING_RATIO) {
      throw new SubscriberFileException(0, "This workbook unpacks to more than " + MAX_PACKING_RATIO
          + " times its size, which spreadsheets never do; it is not imported. Save the sheet as CSV and import that.");
    }
  }

  private static SubscriberFileException tooLarge() {
    return new SubscriberFileException(0, "This workbook unpacks to more than " + (MAX_UNPACKED_BYTES >> 20)
        + " MB, the most Herald reads. Save the sheet as CSV, or split it, and import that.");
  }

  /** Counts the rows and each row's cells of whatever sheet data the part holds. */
  private static void scan(InputStream in) throws IOException {
    XMLStreamReader xml;
    try {
      xml = XML.createXMLStreamReader(in);
    } catch (XMLStreamException e) {
      return;
    }
    try {
      boolean inSheetData = false;
      long rows = 0;
      long row = 0;
      int cells = 0;
      while (xml.hasNext()) {
        int event = xml.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          String name = xml.getLocalName();
          if (name.equals("sheetData")) {
            inSheetData = true;
          } else if (inSheetData && name.equals("row")) {
            row = rowNumber(xml.getAttributeValue(null, "r"), row + 1);
            if (++rows > MAX_ROWS || row > MAX_ROWS) {
              throw new SubscriberFileException(row, "the sheet has more than " + MAX_ROWS + " rows, more than Excel holds.");
            }
            cells = 0;
          } else if (inSheetData && name.equals("c")) {
            if (++cells > MAX_COLUMNS || column(xml.getAttributeValue(null, "r")) > MAX_COLUMNS) {
              throw new SubscriberFileException(row, SubscriberFileReader.tooManyColumns());
            }
          }
        } else if (event == XMLStreamConstants.END_ELEMENT && xml.getLocalName().equals("sheetData")) {
          inSheetData = false;
        }
      }
    } catch (XMLStreamException e) {
      // Not XML (a picture), or broken: fastexcel-reader fails at the same place, and every row before it was counted.
    } finally {
      try {
        xml.close();
      } catch (XMLStreamException ignored) {
        // nothing was held
      }
    }
  }

  private static long rowNumber(String r, long fallback) {
    if (r == null || r.isEmpty() || r.length() > 9 || !r.chars().allMatch(Character::isDigit)) return fallback;
    return Long.parseLong(r);
  }

  /** The 1-based column of a reference such as "AB12"; 0 when there is none. Long letter runs count as far. */
  static long column(String ref) {
    if (ref == null) return 0;
    long column = 0;
    for (int i = 0; i < ref.length(); i++) {
      char c = Character.toUpperCase(ref.charAt(i));
      if (c < 'A' || c > 'Z') break;
      column = column * 26 + (c - 'A' + 1);
      if (column > Integer.MAX_VALUE) return column;
    }
    return column;
  }

  /** A part's stream that refuses to unpack past its declared size or past the workbook's limit. */
  private static final class Counted extends FilterInputStream {
    private final long declared;
    private final long[] total;
    private long read;

    Counted(InputStream in, ZipArchiveEntry part, long[] total) {
      super(in);
      this.declared = part.getSize();
      this.total = total;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count(1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count(n);
      return n;
    }

    private void count(int n) {
      read += n;
      total[0] += n;
      if (total[0] > MAX_UNPACKED_BYTES) throw tooLarge();
      if (declared >= 0 && read > declared) {
        throw new SubscriberFileException(0, "This workbook is damaged: a part unpacks to more than its stated size. "
            + "Open it in Excel and save it again, or save it as CSV.");
      }
    }
  }
}

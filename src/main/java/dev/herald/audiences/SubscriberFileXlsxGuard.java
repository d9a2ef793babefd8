package dev.herald.audiences;

import static dev.herald.audiences.SubscriberFileReader.MAX_COLUMNS;

import com.fasterxml.aalto.stax.InputFactoryImpl;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * checked and every part is unpacked once, counting bytes. The sheet that is imported (the workbook's first, found the
 * way fastexcel-reader finds it) is read with the same streaming XML parser fastexcel-reader uses, holding nothing but
 * counters: a row past {@link SubscriberFileReader#MAX_COLUMNS} columns (counted, or by a cell's reference) or a sheet
 * past {@link #MAX_ROWS} rows stops the reading there. Other sheets are never parsed, so their width does not matter
 * (a wide second sheet refused the whole workbook). When the first sheet cannot be told for certain (a workbook part
 * named twice, a relationship id given twice), every part's rows are counted, as if each were the first sheet;
 * {@link SubscriberFileXlsxReader} also checks that fastexcel-reader opened the sheet this guard read.
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
   * Returns the relationship id of the sheet it read as the first (null when it could not tell which that is, and
   * read every part's rows).
   *
   * @throws SubscriberFileException the workbook is past a limit, naming it and the row where it was passed
   * @throws IOException the file is not a ZIP that can be read (the caller says the workbook cannot be read)
   */
  static String check(Path file) throws IOException {
    try (ZipFile zip = ZipFile.builder().setFile(file.toFile()).get()) {
      List<ZipArchiveEntry> parts = Collections.list(zip.getEntries());
      long declared = 0;
      for (ZipArchiveEntry part : parts) {
        if (part.getSize() < 0) continue; // unknown here; the reading below counts it
        declared += part.getSize();
        if (declared > MAX_UNPACKED_BYTES) throw tooLarge();
        checkRatio(part.getSize(), part.getCompressedSize());
      }
      FirstSheet first = firstSheet(zip);
      // The sizes in a ZIP's directory are what its writer claims; what comes out of the inflater is counted too.
      long[] unpacked = {0};
      for (ZipArchiveEntry part : parts) {
        try (InputStream in = new Counted(zip.getInputStream(part), part, unpacked)) {
          if (first == null || part == first.part()) {
            scan(in);
          } else {
            in.transferTo(OutputStream.nullOutputStream());
          }
        }
      }
      return first == null ? null : first.id();
    }
  }

  /** The sheet fastexcel-reader opens as the first: its relationship id and its part. */
  private record FirstSheet(String id, ZipArchiveEntry part) {}

  private static final String RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

  /**
   * Finds the first sheet as fastexcel-reader does: the workbook part named in {@code [Content_Types].xml} (else
   * {@code /xl/workbook.xml}), its first {@code sheet}'s {@code r:id}, and that id's target in the workbook's
   * relationships. Null when any step is missing or ambiguous. Each part is read streaming and keeps one string.
   */
  private static FirstSheet firstSheet(ZipFile zip) throws IOException {
    List<String> workbooks = new java.util.ArrayList<>();
    if (!attributes(zip, "[Content_Types].xml", "Override", null, xml -> {
      String type = xml.getAttributeValue(null, "ContentType");
      if ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml".equals(type)
          || "application/vnd.ms-excel.sheet.macroEnabled.main+xml".equals(type)) {
        workbooks.add(xml.getAttributeValue(null, "PartName"));
      }
      return workbooks.size() > 1;
    })) {
      return null;
    }
    if (workbooks.size() > 1 || workbooks.contains(null)) return null;
    String workbook = workbooks.isEmpty() ? "/xl/workbook.xml" : workbooks.getFirst();
    String[] id = {null};
    if (!attributes(zip, workbook, "sheet", "sheets", xml -> {
      id[0] = xml.getAttributeValue(RELATIONSHIPS, "id");
      return true;
    }) || id[0] == null) {
      return null;
    }
    String rels = workbook.replaceFirst("^(.*/)([^/]+)$", "$1_rels/$2.rels");
    List<String> targets = new java.util.ArrayList<>();
    if (!attributes(zip, rels, "Relationship", null, xml -> {
      if (id[0].equals(xml.getAttributeValue(null, "Id"))) targets.add(xml.getAttributeValue(null, "Target"));
      return targets.size() > 1;
    })) {
      return null;
    }
    if (targets.size() != 1 || targets.getFirst() == null) return null;
    String target = targets.getFirst();
    String name = target.startsWith("/") ? target : rels.substring(0, rels.indexOf("_rel")) + target;
    ZipArchiveEntry part = entry(zip, name);
    return part == null ? null : new FirstSheet(id[0], part);
  }

  /** A part as fastexcel-reader looks it up: without its leading slash, else the first whose name matches ignoring case. */
  private static ZipArchiveEntry entry(ZipFile zip, String name) {
    String path = name.startsWith("/") ? name.substring(1) : name;
    ZipArchiveEntry exact = zip.getEntry(path);
    if (exact != null) return exact;
    for (ZipArchiveEntry e : Collections.list(zip.getEntries())) if (e.getName().equalsIgnoreCase(path)) return e;
    return null;
  }

  interface ElementVisitor {
    /** Returns true to stop reading. */
    boolean visit(XMLStreamReader xml);
  }

  /**
   * Streams the part, calling {@code visitor} at each {@code element} (after an {@code after} element, when given);
   * false when the part is missing or is not XML.
   */
  private static boolean attributes(ZipFile zip, String name, String element, String after, ElementVisitor visitor)
      throws IOException {
    ZipArchiveEntry part = entry(zip, name);
    if (part == null) return false;
    try (InputStream in = new Counted(zip.getInputStream(part), part, new long[1])) {
      XMLStreamReader xml = XML.createXMLStreamReader(in);
      try {
        boolean started = after == null;
        while (xml.hasNext()) {
          if (xml.next() != XMLStreamConstants.START_ELEMENT) continue;
          if (!started) {
            started = xml.getLocalName().equals(after);
          } else if (xml.getLocalName().equals(element) && visitor.visit(xml)) {
            return true;
          }
        }
        return true;
      } finally {
        xml.close();
      }
    } catch (XMLStreamException e) {
      return false;
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

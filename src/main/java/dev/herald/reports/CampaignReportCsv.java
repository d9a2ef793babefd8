package dev.herald.reports;

import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.CampaignFigures;
import dev.herald.delivery.SendFigures;
import dev.herald.feedback.CampaignFeedback;
import dev.herald.tracking.CampaignEngagement;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * A campaign's report as CSV, as Excel reads it (UTF-8 with a byte order mark, CRLF, RFC 4180 quoting, every text cell
 * formula-neutralized): the figures in long form ({@code section,item,measure,value}: one number per row, so a
 * spreadsheet filters and pivots them and a new figure adds rows, not columns), and one row per recipient read a page
 * at a time from the queue, so an export of a million recipients holds one page in memory.
 */
@Component
class CampaignReportCsv {
  static final String MEDIA_TYPE = "text/csv;charset=UTF-8";
  static final int RECIPIENTS_PAGE = 1_000;

  private final SendFigures sendFigures;
  private final CampaignEngagement engagement;
  private final CampaignFeedback feedback;
  private final CampaignFigures campaignFigures;

  CampaignReportCsv(SendFigures sendFigures, CampaignEngagement engagement, CampaignFeedback feedback, CampaignFigures campaignFigures) {
    this.sendFigures = sendFigures;
    this.engagement = engagement;
    this.feedback = feedback;
    this.campaignFigures = campaignFigures;
  }

  /** The file name a download is saved as: the campaign's id, never its name (which the member typed). */
  static String fileName(long campaignId, String what) {
    return "campaign-" + campaignId + "-" + what + ".csv";
  }

  void figures(CampaignReport r, OutputStream stream) throws IOException {
    Csv csv = new Csv(stream);
    csv.row("section", "item", "measure", "value");
    csv.number("summary", "", "recipients", r.recipients());
    csv.number("summary", "", "sent", r.sent());
    csv.number("summary", "", "skipped", r.skipped());
    csv.number("summary", "", "pending", r.pending());
    csv.number("summary", "", "delivered", r.delivery().delivered());
    csv.number("summary", "", "deferred", r.delivery().deferred());
    csv.number("summary", "", "bounced_while_sending", r.delivery().bounced());
    csv.number("summary", "", "expired", r.delivery().expired());
    csv.number("summary", "", "not_sent", r.delivery().notSent());
    csv.number("summary", "", "waiting", r.delivery().waiting());
    csv.number("summary", "", "bounced", r.bounces().recipients());
    csv.number("summary", "", "bounced_hard", r.bounces().hard());
    csv.number("summary", "", "bounced_soft", r.bounces().soft());
    csv.number("summary", "", "bounced_block", r.bounces().block());
    csv.number("summary", "", "complaints", r.complaints());
    csv.number("summary", "", "unsubscribes", r.unsubscribes());
    csv.number("summary", "", "forwards", r.forwards());
    engagement(csv, "opens", r.opens());
    engagement(csv, "clicks", r.clicks());
    for (CampaignReport.Reason reason : r.feedback()) {
      String item = reason.feedbackClass().text() + "/" + reason.reason().text();
      csv.number("feedback", item, "recipients", reason.recipients());
      csv.number("feedback", item, "synchronous", reason.synchronous());
    }
    for (CampaignReport.Link l : r.links()) {
      String item = l.number() + " " + l.url();
      csv.number("link", item, "unique_clicks", l.unique());
      csv.number("link", item, "clicks", l.total());
      csv.number("link", item, "anonymous_clicks", l.anonymous());
      csv.number("link", item, "machine_clicks", l.machine());
    }
    for (CampaignReport.Domain d : r.domains()) {
      csv.number("domain", d.domain(), "recipients", d.recipients());
      csv.number("domain", d.domain(), "delivered", d.delivered());
      csv.number("domain", d.domain(), "deferred", d.deferred());
      csv.number("domain", d.domain(), "bounced", d.bounced());
      csv.number("domain", d.domain(), "expired", d.expired());
      csv.number("domain", d.domain(), "not_sent", d.notSent());
      csv.number("domain", d.domain(), "opened", d.opened());
      csv.number("domain", d.domain(), "clicked", d.clicked());
    }
    for (CampaignReport.Period p : r.timeline().periods()) {
      String item = time(p.start());
      csv.number("timeline_" + r.timeline().unit(), item, "delivered", p.delivered());
      csv.number("timeline_" + r.timeline().unit(), item, "bounces", p.bounces());
      csv.number("timeline_" + r.timeline().unit(), item, "opens", p.opens());
      csv.number("timeline_" + r.timeline().unit(), item, "clicks", p.clicks());
      csv.number("timeline_" + r.timeline().unit(), item, "machine_opens", p.machineOpens());
      csv.number("timeline_" + r.timeline().unit(), item, "machine_clicks", p.machineClicks());
      csv.number("timeline_" + r.timeline().unit(), item, "complaints", p.complaints());
    }
    csv.flush();
  }

  private static void engagement(Csv csv, String section, CampaignReport.Engagement e) throws IOException {
    csv.number(section, "", "unique", e.unique());
    csv.number(section, "", "total", e.total());
    csv.number(section, "", "anonymous", e.anonymous());
    csv.number(section, "", "machine", e.machine());
  }

  /**
   * One row per recipient of the campaign's send, in queue order: address, delivery state, attempts, when it ended, the
   * last reply, people's opens and clicks and machines' events (events that name the recipient), the feedback recorded
   * ({@code class:reason}, comma-separated) and whether they unsubscribed from this campaign's mail.
   */
  void recipients(Campaign c, OutputStream stream) throws IOException {
    Csv csv = new Csv(stream);
    csv.row("address", "state", "attempts", "finished_at", "last_reply", "opens", "clicks", "machine_events", "feedback", "unsubscribed");
    if (c.messageId() != null) {
      long after = 0;
      while (true) {
        List<SendFigures.Recipient> page = sendFigures.recipients(c.messageId(), after, RECIPIENTS_PAGE);
        if (page.isEmpty()) break;
        List<Long> ids = page.stream().map(SendFigures.Recipient::id).toList();
        Map<Long, CampaignEngagement.RecipientEngagement> events = engagement.perRecipient(c.organizationId(), c.messageId(), ids);
        Map<Long, String> feedbackOf = feedback.perRecipient(c.organizationId(), c.id(), ids);
        Set<Long> unsubscribed = campaignFigures.unsubscribed(c.id(),
            page.stream().map(SendFigures.Recipient::sourceRef).filter(Objects::nonNull).toList());
        for (SendFigures.Recipient r : page) {
          CampaignEngagement.RecipientEngagement e = events.getOrDefault(r.id(), new CampaignEngagement.RecipientEngagement(0, 0, 0));
          csv.row(r.address(), r.state().text(), Integer.toString(r.attempts()), time(r.finishedAt()), r.lastReply(),
              Long.toString(e.opens()), Long.toString(e.clicks()), Long.toString(e.machine()), feedbackOf.getOrDefault(r.id(), ""),
              r.sourceRef() != null && unsubscribed.contains(r.sourceRef()) ? "yes" : "no");
        }
        csv.flush();
        after = page.getLast().id();
        if (page.size() < RECIPIENTS_PAGE) break;
      }
    }
    csv.flush();
  }

  static String time(Instant t) {
    return t == null ? "" : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** RFC 4180 rows, text cells formula-neutralized (DESIGN.md security rule 6). */
  static final class Csv {
    private final Writer out;

    Csv(OutputStream stream) throws IOException {
      this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 16 * 1024);
      out.write('\uFEFF');
    }

    void number(String section, String item, String measure, long value) throws IOException {
      row(section, item, measure, Long.toString(value));
    }

    void row(String... cells) throws IOException {
      for (int i = 0; i < cells.length; i++) {
        if (i > 0) out.write(',');
        String s = neutralize(cells[i] == null ? "" : cells[i]);
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
        out.write(quote ? '"' + s.replace("\"", "\"\"") + '"' : s);
      }
      out.write("\r\n");
    }

    void flush() throws IOException {
      out.flush();
    }

    /**
     * A spreadsheet runs a cell starting with {@code = + - @} (or a tab or CR before one) as a formula: a last reply or
     * a link the sender wrote could. A leading single quote makes it text, as OWASP advises. Numbers are written by
     * {@link #number} and never start so, except a negative one, which no count is.
     */
    static String neutralize(String text) {
      if (text.isEmpty()) return text;
      return switch (text.charAt(0)) {
        case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
        default -> text;
      };
    }
  }
}

package dev.herald.audiences;

import dev.herald.platform.Forms;
import dev.herald.platform.OnRefused;
import dev.herald.platform.Refused;
import dev.herald.platform.PanelController;
import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Panel pages for segments. The editor is a plain form of condition rows (type, subject, op, value), drawn in
 * words by {@link SegmentEditor}; htmx posts it to {@code /preview} on every change, which answers with the live
 * count, and brings the form back when a row's type, field or comparison changes.
 */
@PanelController
class SegmentsController {
  private final Segments segments;
  private final MailingLists lists;
  private final CustomFields fields;

  SegmentsController(Segments segments, MailingLists lists, CustomFields fields) {
    this.segments = segments;
    this.lists = lists;
    this.fields = fields;
  }

  /**
   * The list does not count: a count scans the organization's subscribers (about 0.7 s at a million),
   * so each row fetches its own from {@code /count} once the page is shown.
   */
  @GetMapping("/o/{org}/segments")
  String list(OrganizationContext org, Model model) {
    model.addAttribute("segments", segments.list(org.id()));
    return "audiences/segments";
  }

  /** One row's count for the list: a small HTML fragment. */
  @GetMapping("/o/{org}/segments/{id}/count")
  String count(OrganizationContext org, @PathVariable long id, Model model) {
    Segments.Segment s = segments.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    model.addAttribute("segmentId", s.id());
    try {
      model.addAttribute("count", segments.count(org.id(), s.conditions()));
    } catch (Refused p) {
      // A saved segment can stop compiling when a list or field it names is deleted; say so in its row.
      model.addAttribute("countError", SegmentEditor.countError(p, rows(org, SegmentEditor.stored(s.conditions().rules()))));
    }
    return "audiences/segments :: count";
  }

  @PostMapping("/o/{org}/segments")
  @OnRefused("/o/{org}/segments")
  String create(OrganizationContext org, @RequestParam(defaultValue = "") String name, RedirectAttributes flash) {
    Segments.Segment s = segments.create(org.id(), name, Segments.Conditions.empty());
    return "redirect:/o/" + org.slug() + "/segments/" + s.id();
  }

  @GetMapping("/o/{org}/segments/{id}")
  String edit(OrganizationContext org, @PathVariable long id, Model model) {
    Segments.Segment s = segments.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    return editor(org, s.id(), s.name(), s.conditions().match().text(), rows(org, SegmentEditor.stored(s.conditions().rules())), model);
  }

  /**
   * Save, or change the rows: {@code action} = save | add | refresh (after a row's type, field or comparison changed:
   * the row comes back with what fits it) | remove-N.
   */
  @PostMapping("/o/{org}/segments/{id}")
  String save(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String name,
      @RequestParam(defaultValue = "all") String match, @RequestParam(defaultValue = "save") String action,
      HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes flash) {
    segments.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    List<SegmentEditor.Posted> posted = posted(request);
    if (action.equals("add")) {
      posted.add(new SegmentEditor.Posted(new Segments.Rule("field", "email", "contains", ""), null));
      return editor(org, id, name, match, rows(org, posted), model);
    }
    if (action.startsWith("remove-") && action.substring(7).matches("\\d{1,3}")) {
      int index = Integer.parseInt(action.substring(7));
      if (index < posted.size()) posted.remove(index);
      return editor(org, id, name, match, rows(org, posted), model);
    }
    List<SegmentEditor.Row> rows = rows(org, posted);
    // refresh, and any action this form does not send (remove-x was a NumberFormatException and a 500):
    // show the editor again with what was posted, saving nothing.
    if (!action.equals("save")) return editor(org, id, name, match, rows, model);
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).differsFrom(posted.get(i).rule())) {
        // A field changed without the form coming back (no scripts): what was posted for it was chosen for another.
        Forms.refused(Refused.invalid("rules[" + i + "]", "This condition changed; check how it compares and its value, then save."),
            model, response);
        return editor(org, id, name, match, rows, model);
      }
    }
    try {
      segments.update(org.id(), id, name, Segments.Conditions.of(match, SegmentEditor.rules(rows)));
      flash.addFlashAttribute("notice", "Segment saved.");
      return "redirect:/o/" + org.slug() + "/segments/" + id;
    } catch (Refused p) {
      // Not @OnRefused: the editor is shown again with the unsaved conditions, which a redirect would lose;
      // the error sits beside the condition it names (rules[2].value), in the editor's words.
      Forms.refused(SegmentEditor.inWords(p, rows), model, response);
      return editor(org, id, name, match, rows, model);
    }
  }

  /** The live count for the editor's current (unsaved) conditions, as the rows show them: a small HTML fragment. */
  @PostMapping("/o/{org}/segments/{id}/preview")
  String preview(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "all") String match,
      HttpServletRequest request, Model model) {
    segments.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    count(org, match, rows(org, posted(request)), model);
    return "audiences/segment :: count";
  }

  @PostMapping("/o/{org}/segments/{id}/delete")
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!segments.delete(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Segment deleted.");
    return "redirect:/o/" + org.slug() + "/segments";
  }

  private String editor(OrganizationContext org, long id, String name, String match, List<SegmentEditor.Row> rows, Model model) {
    model.addAttribute("segmentId", id);
    model.addAttribute("name", name);
    model.addAttribute("match", match);
    model.addAttribute("rows", rows);
    model.addAttribute("types", SegmentEditor.TYPES);
    count(org, match, rows, model);
    return "audiences/segment";
  }

  private void count(OrganizationContext org, String match, List<SegmentEditor.Row> rows, Model model) {
    try {
      model.addAttribute("count", segments.count(org.id(), Segments.Conditions.of(match, SegmentEditor.rules(rows))));
    } catch (Refused p) {
      model.addAttribute("countError", SegmentEditor.countError(p, rows));
    }
  }

  private List<SegmentEditor.Row> rows(OrganizationContext org, List<SegmentEditor.Posted> posted) {
    return SegmentEditor.rows(posted, fields.byKey(org.id()), lists.names(org.id()));
  }

  /** Rows arrive as type.N, subject.N, op.N, value.N and shown.N for N = 0, 1, 2, ... */
  private static List<SegmentEditor.Posted> posted(HttpServletRequest request) {
    List<SegmentEditor.Posted> rows = new ArrayList<>();
    for (int i = 0; request.getParameter("type." + i) != null && i < Segments.MAX_RULES; i++) {
      rows.add(new SegmentEditor.Posted(new Segments.Rule(request.getParameter("type." + i), request.getParameter("subject." + i),
          request.getParameter("op." + i), request.getParameter("value." + i)), request.getParameter("shown." + i)));
    }
    return rows;
  }
}

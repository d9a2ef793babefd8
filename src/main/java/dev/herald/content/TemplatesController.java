package dev.herald.content;

import dev.herald.platform.Forms;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Panel pages of templates: the list (by kind and category), the editor for a new or stored template, and the
 * categories. A refused save is shown again in the same response (not flashed): a template's source can be large.
 */
@PanelController
class TemplatesController {
  private static final Pattern ERROR_LINE = Pattern.compile("^Line (\\d+)");
  private static final String STARTER = """
      <!DOCTYPE html>
      <html>
      <body>
      {{ content }}
      <p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
      </body>
      </html>
      """;
  private final Templates templates;
  private final TemplateCategories categories;

  TemplatesController(Templates templates, TemplateCategories categories) {
    this.templates = templates;
    this.categories = categories;
  }

  /** The editor's fields as submitted; {@code categoryId} empty for none. */
  record TemplateForm(Long id, String name, String kind, String categoryId, String format, String source) {
    static TemplateForm of(Templates.Template t) {
      return new TemplateForm(t.id(), t.name(), t.kind().text(), t.categoryId() == null ? "" : String.valueOf(t.categoryId()),
          t.format().text(), t.source());
    }

    Templates.Draft draft() {
      Long category;
      try {
        category = categoryId == null || categoryId.isBlank() ? null : Long.parseLong(categoryId.strip());
      } catch (NumberFormatException notANumber) {
        throw Refused.invalid("categoryId", "Choose a category from the list.");
      }
      return new Templates.Draft(name, TextEnum.parse(TemplateKind.class, "kind", kind), category, TextEnum.parse(ContentFormat.class, "format", format), source);
    }
  }

  @GetMapping("/o/{org}/templates")
  String list(OrganizationContext org, @RequestParam(defaultValue = "") String kind,
      @RequestParam(defaultValue = "") String category, Model model) {
    // Filters are links anyone may have edited: an unknown value shows everything rather than an error.
    TemplateKind k = TextEnum.find(TemplateKind.class, kind).orElse(null);
    Long c = category.matches("\\d{1,18}") ? Long.valueOf(category) : null;
    List<TemplateCategories.Category> all = categories.list(org.id());
    Map<Long, String> names = new LinkedHashMap<>();
    all.forEach(cat -> names.put(cat.id(), cat.name()));
    model.addAttribute("templates", templates.list(org.id(), k, c));
    model.addAttribute("categories", all);
    model.addAttribute("categoryNames", names);
    model.addAttribute("kinds", TemplateKind.values());
    model.addAttribute("kind", k);
    model.addAttribute("category", c);
    model.addAttribute("canWrite", org.can(Permission.TEMPLATES_WRITE));
    return "content/templates";
  }

  @GetMapping("/o/{org}/templates/new")
  String create(OrganizationContext org, @RequestParam(defaultValue = "campaign") String kind, Model model) {
    TemplateKind k = TextEnum.find(TemplateKind.class, kind).orElse(TemplateKind.CAMPAIGN);
    String source = k == TemplateKind.CAMPAIGN ? STARTER : "";
    return editor(org, new TemplateForm(null, "", k.text(), "", ContentFormat.HTML.text(), source), model);
  }

  @PostMapping("/o/{org}/templates")
  String save(OrganizationContext org, TemplateForm form, Model model, HttpServletResponse response, RedirectAttributes flash) {
    try {
      Templates.Template t = templates.create(org.id(), form.draft());
      flash.addFlashAttribute("notice", t.kind().words() + " " + t.name() + " saved.");
      return "redirect:/o/" + org.slug() + "/templates/" + t.id();
    } catch (Refused refused) {
      Forms.refused(refused, model, response);
      return editor(org, new TemplateForm(null, form.name(), form.kind(), form.categoryId(), form.format(), form.source()), model);
    }
  }

  @GetMapping("/o/{org}/templates/{id}")
  String edit(OrganizationContext org, @PathVariable long id, Model model) {
    return editor(org, TemplateForm.of(templates.get(org.id(), id)), model);
  }

  @PostMapping("/o/{org}/templates/{id}")
  String update(OrganizationContext org, @PathVariable long id, TemplateForm form, Model model, HttpServletResponse response,
      RedirectAttributes flash) {
    Templates.Template stored = templates.get(org.id(), id);
    try {
      Templates.Draft draft = form.draft();
      Templates.Template t = templates.update(org.id(), id, new Templates.Draft(draft.name(), stored.kind(), draft.categoryId(),
          draft.format(), draft.source()));
      flash.addFlashAttribute("notice", t.kind().words() + " " + t.name() + " saved.");
      return "redirect:/o/" + org.slug() + "/templates/" + id;
    } catch (Refused refused) {
      Forms.refused(refused, model, response);
      return editor(org, new TemplateForm(id, form.name(), stored.kind().text(), form.categoryId(), form.format(), form.source()), model);
    }
  }

  @PostMapping("/o/{org}/templates/{id}/delete")
  @OnRefused(value = "/o/{org}/templates/{id}", notFoundIsPage = true)
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    Templates.Template t = templates.delete(org.id(), id);
    flash.addFlashAttribute("notice", t.kind().words() + " " + t.name() + " deleted.");
    return "redirect:/o/" + org.slug() + "/templates";
  }

  private String editor(OrganizationContext org, TemplateForm form, Model model) {
    model.addAttribute("form", form);
    model.addAttribute("templateKind", TextEnum.find(TemplateKind.class, form.kind()).orElse(TemplateKind.CAMPAIGN));
    model.addAttribute("formats", ContentFormat.values());
    model.addAttribute("categories", categories.list(org.id()));
    model.addAttribute("canWrite", org.can(Permission.TEMPLATES_WRITE));
    model.addAttribute("errorLine", errorLine(model));
    return "content/templates-edit";
  }

  /** The line a template error names ("Line 3, column 7: ..."), for the code editor to mark; null when none. */
  private static Integer errorLine(Model model) {
    if (!(model.getAttribute("errors") instanceof Map<?, ?> errors) || !(errors.get("source") instanceof String message)) return null;
    Matcher m = ERROR_LINE.matcher(message);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  // ---- categories ------------------------------------------------------------------------------

  @GetMapping("/o/{org}/template-categories")
  String categories(OrganizationContext org, Model model) {
    model.addAttribute("categories", categories.list(org.id()));
    model.addAttribute("canWrite", org.can(Permission.TEMPLATES_WRITE));
    return "content/templates-categories";
  }

  @PostMapping("/o/{org}/template-categories")
  @OnRefused("/o/{org}/template-categories#new-category")
  String createCategory(OrganizationContext org, @RequestParam(defaultValue = "") String name, RedirectAttributes flash) {
    TemplateCategories.Category c = categories.create(org.id(), name);
    flash.addFlashAttribute("notice", "Category " + c.name() + " created.");
    return "redirect:/o/" + org.slug() + "/template-categories";
  }

  @PostMapping("/o/{org}/template-categories/{id}")
  @OnRefused(value = "/o/{org}/template-categories#category-{id}", errorKey = "category-{id}", notFoundIsPage = true)
  String renameCategory(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String name,
      RedirectAttributes flash) {
    TemplateCategories.Category c = categories.rename(org.id(), id, name);
    flash.addFlashAttribute("notice", "Category renamed to " + c.name() + ".");
    return "redirect:/o/" + org.slug() + "/template-categories";
  }

  @PostMapping("/o/{org}/template-categories/{id}/delete")
  String deleteCategory(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    categories.delete(org.id(), id);
    flash.addFlashAttribute("notice", "Category deleted; its templates have no category now.");
    return "redirect:/o/" + org.slug() + "/template-categories";
  }
}

/**
 * Content: what campaigns send. The template language ({@link dev.herald.content.TemplateEngine}: Liquid in a
 * sandbox, compiled once and rendered per recipient), the organization's templates and snippets, and its media.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Content")
package dev.herald.content;

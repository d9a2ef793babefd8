/**
 * Audiences: lists, subscribers, typed custom fields, subscriptions with consent records, double
 * opt-in, hosted forms and the preference centre, segments, import and export.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Audiences")
package dev.herald.audiences;

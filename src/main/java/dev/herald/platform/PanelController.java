package dev.herald.platform;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Controller;

/**
 * A controller of panel pages: its views get the layout's model (who is signed in, their
 * organizations, the current one). Advice that only pages need selects this annotation rather than
 * {@link Controller}, because {@code @RestController} is itself meta-annotated with {@code @Controller}
 * and {@code @ControllerAdvice(annotations = Controller.class)} therefore matches REST controllers too.
 * Controllers that never render the panel's layout (file downloads, the hosted subscriber pages) stay
 * plain {@code @Controller}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Controller
public @interface PanelController {
  @AliasFor(annotation = Controller.class)
  String value() default "";
}

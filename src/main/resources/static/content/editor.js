// The content editor of templates (templates/content/templates-edit.html) and of a campaign's body
// (templates/campaigns/form.html), found by its element ids. The form's textarea holds what is saved; this puts
// the editor of the chosen format over it: rich text in Quill, HTML and Markdown in CodeMirror with highlighting,
// plain text in the textarea itself. Changing the format asks the server to convert (the same conversion as the
// API's) and, when the new format cannot keep everything, shows why and applies the change only when confirmed.
// No inline script or style: the panel's Content-Security-Policy allows neither.
(function () {
  'use strict';
  var form = document.getElementById('template-form');
  if (!form) return;
  var textarea = document.getElementById('template-source');
  var formatSelect = document.getElementById('template-format');
  var richHost = document.getElementById('richtext-editor');
  var warning = document.getElementById('format-warning');
  var warningText = document.getElementById('format-warning-text');
  var applyButton = document.getElementById('format-apply');
  var cancelButton = document.getElementById('format-cancel');
  var current = formatSelect.value;
  var pending = null;
  var code = null;
  var quill = null;

  var RICH_FORMATS = ['header', 'bold', 'italic', 'underline', 'strike', 'list', 'blockquote', 'code-block', 'link', 'image'];
  var RICH_TOOLBAR = [[{ header: [1, 2, 3, false] }], ['bold', 'italic', 'underline', 'strike'],
    [{ list: 'ordered' }, { list: 'bullet' }], ['blockquote', 'code-block', 'link'], ['clean']];

  function richHtml() {
    var html = quill.getSemanticHTML();
    // Quill writes every space as &nbsp; to keep runs of spaces; in mail that only stops lines from wrapping.
    html = html.replace(/&nbsp;/g, ' ');
    // Quill escapes quotes and brackets in text, also inside {{ ... }} and {% ... %}, where they are the template
    // language's own ('friend', a < b): given back as written so that the template compiles.
    html = html.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, function (tag) {
      return tag.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    });
    return html === '<p></p>' ? '' : html;
  }

  function value() {
    if (quill) return richHtml();
    if (code) return code.getValue();
    return textarea.value;
  }

  function detach() {
    if (code) { code.toTextArea(); code = null; }
    if (quill) {
      textarea.value = richHtml();
      quill = null;
      var toolbars = richHost.parentNode.querySelectorAll('.ql-toolbar');
      for (var i = 0; i < toolbars.length; i++) toolbars[i].remove();
      richHost.replaceChildren();
      richHost.className = 'richtext-editor';
      richHost.hidden = true;
      textarea.hidden = false;
    }
  }

  function attach(format, source) {
    detach();
    textarea.value = source;
    if (format === 'richtext' && window.Quill) {
      richHost.hidden = false;
      textarea.hidden = true;
      quill = new window.Quill(richHost, { theme: 'snow', formats: RICH_FORMATS, modules: { toolbar: RICH_TOOLBAR } });
      quill.setContents(quill.clipboard.convert({ html: source }), 'silent');
      quill.root.setAttribute('aria-labelledby', 'template-source-label');
      quill.root.setAttribute('aria-multiline', 'true');
      quill.root.setAttribute('role', 'textbox');
      quill.on('text-change', function () { textarea.value = richHtml(); });
    } else if ((format === 'html' || format === 'markdown') && window.CodeMirror) {
      code = window.CodeMirror.fromTextArea(textarea, {
        mode: format === 'html' ? 'htmlmixed' : 'markdown', lineNumbers: true, lineWrapping: true, viewportMargin: Infinity
      });
      code.getInputField().setAttribute('aria-labelledby', 'template-source-label');
      code.on('change', function () { code.save(); });
    }
  }

  function apply(format, source) {
    pending = null;
    warning.hidden = true;
    current = format;
    formatSelect.value = format;
    attach(format, source);
  }

  function showWarning(text, canApply) {
    warningText.textContent = text;
    applyButton.hidden = !canApply;
    warning.hidden = false;
    (canApply ? applyButton : cancelButton).focus();
  }

  function convert(source, from, to) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/json' };
    if (form.dataset.csrfHeader) headers[form.dataset.csrfHeader] = form.dataset.csrfToken;
    return fetch(form.dataset.convertUrl, {
      method: 'POST', credentials: 'same-origin', headers: headers,
      body: JSON.stringify({ source: source, from: from, to: to })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || ('The conversion failed (' + response.status + ').'));
        return body;
      });
    });
  }

  formatSelect.addEventListener('change', function () {
    var to = formatSelect.value;
    formatSelect.value = current; // shown as changed only once applied
    if (to === current) return;
    convert(value(), current, to).then(function (result) {
      if (result.warning) {
        pending = { format: to, source: result.source };
        showWarning(result.warning, true);
      } else {
        apply(to, result.source);
      }
    }).catch(function (error) { showWarning(error.message, false); });
  });
  applyButton.addEventListener('click', function () { if (pending) apply(pending.format, pending.source); });
  cancelButton.addEventListener('click', function () {
    pending = null;
    warning.hidden = true;
    formatSelect.focus();
  });
  form.addEventListener('submit', function () { textarea.value = value(); });

  // ---- inserting an image from the media library ----

  var insertButton = document.getElementById('insert-image');
  var picker = document.getElementById('image-picker');
  var pickerStatus = document.getElementById('image-picker-status');
  var pickerList = document.getElementById('image-picker-list');
  var loaded = false;

  function insertImage(url, alt) {
    if (quill) {
      var range = quill.getSelection(true);
      quill.insertEmbed(range ? range.index : quill.getLength(), 'image', url, 'user');
      // Quill's image keeps an alt attribute it finds but has no format to set one; the saved HTML is read from
      // these nodes, so the name is put on the new image itself.
      var images = quill.root.querySelectorAll('img');
      for (var i = 0; i < images.length; i++) {
        if (images[i].getAttribute('src') === url && !images[i].hasAttribute('alt')) images[i].setAttribute('alt', alt);
      }
      textarea.value = richHtml();
    } else if (code) {
      var esc = function (s) { return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'); };
      code.replaceSelection(current === 'html' ? '<img src="' + esc(url) + '" alt="' + esc(alt) + '">'
        : '![' + alt.replace(/[\[\]]/g, '') + '](' + url + ')');
      code.focus();
    } else {
      var at = textarea.selectionStart;
      textarea.setRangeText(url, at, textarea.selectionEnd, 'end');
      textarea.focus();
    }
    picker.hidden = true;
    insertButton.setAttribute('aria-expanded', 'false');
  }

  // The media library's API answers a list of items (or {items: [...]}) with a public URL and a name; until it
  // exists on an installation, the picker says so instead of failing.
  function loadMedia() {
    loaded = true;
    fetch(form.dataset.mediaUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        if (response.status === 404) throw new Error('The media library is not available on this installation yet.');
        if (!response.ok) throw new Error('The media library could not be read (' + response.status + ').');
        return response.json();
      })
      .then(function (data) {
        var items = Array.isArray(data) ? data : (data.items || data.content || []);
        items = items.filter(function (item) { return item && (item.url || item.publicUrl); });
        pickerStatus.textContent = items.length ? 'Choose an image to insert.' : 'The media library has no images yet.';
        items.forEach(function (item) {
          var url = item.url || item.publicUrl;
          var name = item.name || item.filename || item.fileName || '';
          var li = document.createElement('li');
          var button = document.createElement('button');
          button.type = 'button';
          button.className = 'image-choice';
          var img = document.createElement('img');
          img.src = url;
          img.alt = '';
          var label = document.createElement('span');
          label.textContent = name || url;
          button.append(img, label);
          button.addEventListener('click', function () { insertImage(url, name); });
          li.append(button);
          pickerList.append(li);
        });
      })
      .catch(function (error) { pickerStatus.textContent = error.message; loaded = false; });
  }

  insertButton.hidden = false;
  insertButton.addEventListener('click', function () {
    var open = picker.hidden;
    picker.hidden = !open;
    insertButton.setAttribute('aria-expanded', String(open));
    if (open && !loaded) loadMedia();
  });

  // ---- start ----

  attach(current, textarea.value);
  var errorLine = parseInt(textarea.dataset.errorLine, 10);
  if (code && errorLine > 0) {
    var line = Math.min(errorLine, code.lineCount()) - 1;
    code.addLineClass(line, 'wrap', 'editor-error-line');
    code.setCursor({ line: line, ch: 0 });
    code.scrollIntoView({ line: line, ch: 0 }, 80);
  }
})();

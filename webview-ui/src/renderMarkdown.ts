// Model output is untrusted: it becomes HTML only through marked (with raw HTML turned into visible
// text) and then DOMPurify with an allow-list. Kept free of DOM globals so plain-Node tests can pass a
// jsdom-backed DOMPurify instance.
import { Marked, type Tokens } from 'marked';

/** The part of a DOMPurify instance this module uses (structural, so any window's instance fits). */
export interface Sanitizer {
  sanitize(dirty: string, config: SanitizeConfig): string;
}

export interface SanitizeConfig {
  ALLOWED_TAGS: string[];
  ALLOWED_ATTR: string[];
  ALLOWED_URI_REGEXP: RegExp;
  ALLOW_DATA_ATTR: boolean;
  ALLOW_ARIA_ATTR: boolean;
  ALLOW_UNKNOWN_PROTOCOLS: boolean;
  FORBID_TAGS: string[];
  KEEP_CONTENT: boolean;
}

/** Everything markdown produces, and nothing that runs, loads or embeds (no img, iframe, svg, form, style). */
const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'em', 'strong', 'del', 's', 'code', 'pre', 'blockquote', 'a', 'span',
  'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

export const SANITIZE_CONFIG: SanitizeConfig = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ['href', 'title', 'class', 'start', 'align'],
  // Links only to the web; the webview hands clicks to the host, which opens only http(s) as well.
  ALLOWED_URI_REGEXP: /^https?:\/\//i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  FORBID_TAGS: ['style', 'script', 'iframe', 'object', 'embed', 'img', 'svg', 'math', 'form', 'input', 'textarea', 'button', 'link', 'meta', 'base'],
  KEEP_CONTENT: true,
};

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A fence's language as a safe class name (`ts`, `c++`, `objective-c`), or '' when it is anything else. */
export function codeLanguage(lang: string | undefined): string {
  const first = (lang ?? '').trim().split(/\s+/)[0] ?? '';
  return /^[\w#+.-]{1,32}$/.test(first) ? first.toLowerCase() : '';
}

const isWebUrl = (href: string) => /^https?:\/\//i.test(href);

function createMarked(): Marked {
  return new Marked({
    gfm: true,
    async: false,
    renderer: {
      // Raw HTML in model output is shown as the text it is, never parsed as markup.
      html({ text }: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(text);
      },
      code({ text, lang }: Tokens.Code) {
        const language = codeLanguage(lang);
        const cls = language ? ` class="language-${escapeHtml(language)}"` : '';
        return `<pre><code${cls}>${escapeHtml(text)}</code></pre>\n`;
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        if (!isWebUrl(href)) return inner;
        return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${inner}</a>`;
      },
      // Images would load from anywhere (and the CSP blocks them anyway): show a link instead.
      image({ href, text }: Tokens.Image) {
        const label = escapeHtml(text || href);
        return isWebUrl(href) ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
      },
      checkbox({ checked }: Tokens.Checkbox) {
        return checked ? '☑ ' : '☐ ';
      },
    },
  });
}

/** A function from markdown to sanitized HTML; `purify` is DOMPurify bound to a window. */
export function createMarkdownRenderer(purify: Sanitizer): (markdown: string) => string {
  const marked = createMarked();
  return (markdown: string) => purify.sanitize(marked.parse(markdown, { async: false }), SANITIZE_CONFIG);
}

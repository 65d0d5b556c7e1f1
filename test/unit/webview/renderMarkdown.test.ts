import assert from 'node:assert/strict';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { codeLanguage, createMarkdownRenderer, escapeHtml, SANITIZE_CONFIG } from '../../../webview-ui/src/renderMarkdown';

describe('chat markdown rendering (marked + DOMPurify, as in the webview)', () => {
  const { window } = new JSDOM('<!DOCTYPE html><body></body>');
  const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
  const render = createMarkdownRenderer(purify);
  /** The rendered HTML as a DOM, to check what would actually exist in the webview. */
  const dom = (markdown: string) => {
    const div = window.document.createElement('div');
    div.innerHTML = render(markdown);
    return div;
  };
  const noActiveContent = (div: Element) => {
    assert.equal(div.querySelectorAll('script, iframe, img, svg, object, embed, style, form, input, math').length, 0, div.innerHTML);
    for (const el of div.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) assert.ok(!/^on/i.test(attr), `event handler ${attr} on <${el.tagName}>`);
      const href = el.getAttribute('href');
      if (href !== null) assert.match(href, /^https?:\/\//i);
    }
  };

  it('renders ordinary markdown', () => {
    const div = dom('# Title\n\nSome **bold** and `code`, a [link](https://example.com).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    assert.equal(div.querySelector('h1')?.textContent, 'Title');
    assert.equal(div.querySelector('strong')?.textContent, 'bold');
    assert.equal(div.querySelector('a')?.getAttribute('href'), 'https://example.com');
    assert.equal(div.querySelectorAll('li').length, 2);
    assert.equal(div.querySelectorAll('td').length, 2);
  });

  it('shows <img src=x onerror=…> as text, with no image and no handler', () => {
    const div = dom('Look: <img src=x onerror="alert(1)">');
    noActiveContent(div);
    assert.match(div.textContent ?? '', /<img src=x onerror="alert\(1\)">/);
  });

  it('shows <script> as text and never runs it', () => {
    const div = dom('<script>alert(1)</script>\n\nafter');
    noActiveContent(div);
    assert.match(div.textContent ?? '', /<script>alert\(1\)<\/script>/);
  });

  it('drops javascript:, data: and command: links but keeps their text', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'command:workbench.action.quit', 'vbscript:x']) {
      const div = dom(`[click me](${href}) and <a href="${href}">raw</a>`);
      noActiveContent(div);
      assert.equal(div.querySelectorAll('a').length, 0, `${href}: ${div.innerHTML}`);
      assert.match(div.textContent ?? '', /click me/);
    }
  });

  it('shows raw HTML blocks as text', () => {
    const div = dom('<div style="position:fixed" onclick="x()">\n<b>bold?</b>\n</div>');
    noActiveContent(div);
    assert.equal(div.querySelectorAll('div, b').length, 0);
    assert.match(div.textContent ?? '', /<div style="position:fixed" onclick="x\(\)">/);
  });

  it('shows <iframe> as text', () => {
    const div = dom('<iframe src="https://evil.example"></iframe>');
    noActiveContent(div);
    assert.match(div.textContent ?? '', /<iframe src="https:\/\/evil.example"><\/iframe>/);
  });

  it('shows <svg onload> as text', () => {
    const div = dom('inline <svg onload="alert(1)"><circle r="5"/></svg> svg');
    noActiveContent(div);
    assert.match(div.textContent ?? '', /<svg onload="alert\(1\)">/);
  });

  it('turns images into plain links (the CSP would block them anyway)', () => {
    const div = dom('![a cat](https://example.com/cat.png) ![x](javascript:alert(1))');
    noActiveContent(div);
    assert.equal(div.querySelector('a')?.getAttribute('href'), 'https://example.com/cat.png');
    assert.equal(div.querySelectorAll('a').length, 1);
  });

  it('keeps a code block\'s language and its text exactly, markup included', () => {
    const code = 'const a = "<b>" && b < c;\n<script>x</script>';
    const div = dom('```ts\n' + code + '\n```');
    const el = div.querySelector('pre > code');
    assert.equal(el?.className, 'language-ts');
    assert.equal(el?.textContent, code);
    noActiveContent(div);
  });

  it('drops a fence language that is not a plain name', () => {
    const div = dom('```" onmouseover="alert(1)\nx\n```');
    noActiveContent(div);
    assert.equal(div.querySelector('pre > code')?.className, '');
    assert.equal(codeLanguage('c++ {linenos}'), 'c++');
    assert.equal(codeLanguage('"><script>'), '');
  });

  it('renders an unterminated code fence while it streams', () => {
    const div = dom('Here:\n\n```python\ndef f():\n    return 1');
    assert.equal(div.querySelector('pre > code')?.className, 'language-python');
    assert.match(div.querySelector('pre > code')?.textContent ?? '', /return 1/);
  });

  it('escapes reasoning <think> tags instead of treating them as markup', () => {
    const div = dom('<think>\nsecret plan\n</think>\n\nThe answer.');
    assert.equal(div.querySelectorAll('think').length, 0);
    assert.match(div.innerHTML, /&lt;think&gt;/);
    assert.match(div.textContent ?? '', /<think>/);
    assert.match(div.textContent ?? '', /The answer\./);
  });

  it('the sanitizer alone (second line of defence) removes active HTML that reached it', () => {
    const div = window.document.createElement('div');
    div.innerHTML = purify.sanitize(
      '<p onclick="x()">p</p><img src=x onerror="alert(1)"><script>alert(1)</script><iframe src="https://e.example"></iframe>' +
        '<svg onload="alert(1)"></svg><a href="javascript:alert(1)">js</a><a href="https://ok.example" onmouseover="x()">ok</a><form><input></form><style>*{}</style>',
      SANITIZE_CONFIG,
    );
    noActiveContent(div);
    assert.equal(div.querySelectorAll('a[href]').length, 1);
    assert.equal(div.querySelector('a[href]')?.getAttribute('href'), 'https://ok.example');
  });

  it('escapes text for HTML', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

import { html, raw } from './html';

describe('html tagged template', () => {
  it('escapes every interpolation', () => {
    const evil = `<script>alert("x")</script>' onload='x' \``;
    expect(html`<p title="${evil}">${evil}</p>`.markup).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x&#39; &#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x&#39; &#96;</p>',
    );
  });

  it('keeps nested templates and raw() markup, joins arrays, drops null/undefined/false', () => {
    const items = ['a<b', 'c'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${raw('<hr>')}`.markup).toBe('<ul><li>a&lt;b</li><li>c</li></ul><hr>');
  });

  it('renders numbers, dates and objects as escaped text', () => {
    expect(html`${0} ${new Date(0)} ${{ a: '<' }}`.markup).toBe('0 1970-01-01T00:00:00.000Z {&quot;a&quot;:&quot;&lt;&quot;}');
  });
});

// The pager component's decisions (lossapp/frontend/pager.js): which keys step and when a control keeps them,
// which section is in view, and the address with its fragment.
import assert from 'node:assert/strict';
import test from 'node:test';

import {inControl, sectionAt, stepOf, withFragment} from '../../lossapp/frontend/pager.js';
import {fittedFont, fittedHeight} from '../../lossapp/frontend/draw.js';

// A stand-in for a DOM element: tag, attributes and parent, as inControl reads them.
function el(tagName, attrs = {}, parentElement = null, isContentEditable = false) {
  return {nodeType: 1, tagName, parentElement, isContentEditable,
          getAttribute: (name) => (name in attrs ? attrs[name] : null)};
}

function key(k, target, mods = {}) {
  return Object.assign({key: k, target, composedPath: () => [target]}, mods);
}

test('a clicker\'s keys and the arrow keys step, outside controls', () => {
  const body = el('BODY');
  assert.equal(stepOf(key('PageDown', body)), 'next');
  assert.equal(stepOf(key('ArrowRight', body)), 'next');
  assert.equal(stepOf(key('PageUp', body)), 'prev');
  assert.equal(stepOf(key('ArrowLeft', el('BUTTON', {}, body))), 'prev');
  assert.equal(stepOf(key('ArrowDown', body)), null);
  assert.equal(stepOf(key('ArrowLeft', body, {altKey: true})), null, 'Alt+Left is the browser\'s Back');
  assert.equal(stepOf(key('ArrowRight', body, {shiftKey: true})), null);
});

test('sliders, text boxes and other controls keep their keys', () => {
  const body = el('BODY');
  const range = el('INPUT', {type: 'range'}, body);
  const thumb = el('DIV', {role: 'slider'}, el('DIV', {}, body));  // Streamlit's slider
  const inner = el('SPAN', {}, thumb);
  for (const target of [range, thumb, inner, el('INPUT', {}, body), el('TEXTAREA', {}, body),
    el('SELECT', {}, body), el('DIV', {role: 'radio'}, body), el('DIV', {}, body, true)]) {
    assert.ok(inControl(target), target.tagName);
    assert.equal(stepOf(key('ArrowRight', target)), null);
    assert.equal(stepOf(key('PageDown', target)), null);
  }
  assert.ok(!inControl(el('INPUT', {type: 'checkbox'}, body)), 'a checkbox ignores arrow keys');
});

test('the section in view is the last heading above the line', () => {
  const tops = [['l1', -900], ['l2', -200], ['huber', 150]];
  assert.equal(sectionAt(tops, 230), 'huber');
  assert.equal(sectionAt(tops, 100), 'l2');
  assert.equal(sectionAt([['l1', 400]], 230), null, 'above the first section: no fragment');
});

test('the fragment changes, the query stays', () => {
  assert.equal(withFragment('http://h/Regression?huber_rho=2#l1', 'huber'), 'http://h/Regression?huber_rho=2#huber');
  assert.equal(withFragment('http://h/Regression#l1', null), 'http://h/Regression');
});

test('a presentation chart fits the window and scales its text with its width', () => {
  const layout = {height: 600, meta: {fit: [0.55, 220]}};  // lossapp.figures.PRESENT_FIT
  assert.equal(fittedHeight(layout, 768), 422);
  assert.equal(fittedHeight(layout, 1440), 600, 'never taller than the figure');
  assert.equal(fittedHeight(layout, 300), 220, 'never below the least height');
  assert.equal(fittedHeight({height: 600}, 768), null, 'other charts keep their height');
  assert.equal(fittedFont(22, 1920), 22);
  assert.equal(fittedFont(22, 1024), 15);
  assert.equal(fittedFont(22, 3840), 22);
});

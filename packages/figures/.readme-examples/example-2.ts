import { type Figure, renderFigureToCanvas, renderFigureToSvg } from '@descramble/figures';
const [spectrum, spectra] = (await (await fetch('figures.json')).json()) as [Figure, Figure];
renderFigureToCanvas(spectrum, document.querySelector('canvas')!, { pixelRatio: devicePixelRatio });
document.querySelector('#spectra')!.innerHTML = renderFigureToSvg(spectra, { standalone: false });

export {};

// A copy of another frame texture's pixels, exactly (texel for pixel, no filtering, blending off):
// the cached composite of a frame's unchanged bottom layers, laid down before the layers above.
#version 430 core

#section VERTEX_SHADER
#include "lib/fullscreen_triangle.glsl"

#section FRAGMENT_SHADER
uniform sampler2D u_source;  // the same size as the target
out vec4 out_color;

void main() {
    out_color = texelFetch(u_source, ivec2(gl_FragCoord.xy), 0);
}
